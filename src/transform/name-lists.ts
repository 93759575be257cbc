/** The built-in lists the name transformers pick from (fictional-looking, common first and last names). */
export const FIRST_NAMES: readonly string[] = [
  "Alex", "Alice", "Amara", "Ana", "Ben", "Bianca", "Carlos", "Chen", "Clara", "Daniel", "Dara", "Elena", "Emil", "Farah", "Felix",
  "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jade", "James", "Kai", "Kenji", "Lara", "Leo", "Lina", "Luca", "Maya", "Mateo",
  "Mia", "Nadia", "Noah", "Nora", "Omar", "Olga", "Paul", "Priya", "Quinn", "Rafael", "Rosa", "Sam", "Sara", "Tariq", "Tess",
  "Uma", "Victor", "Vera", "Wei", "Yara", "Yusuf", "Zoe",
];

export const LAST_NAMES: readonly string[] = [
  "Adams", "Alvarez", "Bauer", "Becker", "Brown", "Campbell", "Chen", "Costa", "Diaz", "Dubois", "Evans", "Fischer", "Garcia",
  "Gomez", "Hansen", "Haddad", "Ito", "Jensen", "Kim", "Kowalski", "Larsen", "Lopez", "Martin", "Meyer", "Moreau", "Nakamura",
  "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Quinn", "Rossi", "Sato", "Schmidt", "Silva", "Smith", "Tanaka",
  "Torres", "Umar", "Varga", "Walker", "Weber", "Wong", "Yilmaz", "Young", "Zhang",
];

export function longest(names: readonly string[]): number {
  return Math.max(...names.map((n) => n.length));
}
