/** The built-in lists the address transformers pick from (plausible, not real addresses). */
export const STREET_NAMES: readonly string[] = [
  "Acacia", "Alder", "Ash", "Aspen", "Bay", "Beech", "Birch", "Bridge", "Brook", "Cedar", "Chapel", "Cherry", "Church", "Cliff",
  "Elm", "Fern", "Field", "Forest", "Garden", "Glen", "Hazel", "Highland", "Hill", "Holly", "Lake", "Laurel", "Linden", "Maple",
  "Meadow", "Mill", "Oak", "Orchard", "Park", "Pine", "Poplar", "River", "Rose", "Spring", "Station", "Sunset", "Valley",
  "Walnut", "Willow", "Windmill",
];

export const STREET_SUFFIXES: readonly string[] = ["Street", "Avenue", "Road", "Lane", "Way", "Drive", "Court", "Place"];

export const CITIES: readonly string[] = [
  "Ashford", "Bayview", "Brookfield", "Cedar Falls", "Clearwater", "Eastwood", "Fairview", "Glenville", "Greenhill", "Harbor City",
  "Highfield", "Lakeside", "Maplewood", "Midvale", "Millbrook", "Northgate", "Oakridge", "Pinecrest", "Riverton", "Rosedale",
  "Springfield", "Stonebridge", "Sunnyvale", "Westbrook", "Willowdale", "Woodhaven",
];

/** Country names and their ISO 3166-1 alpha-2 codes, in the same order. */
export const COUNTRIES: readonly (readonly [string, string])[] = [
  ["Argentina", "AR"], ["Australia", "AU"], ["Austria", "AT"], ["Belgium", "BE"], ["Brazil", "BR"], ["Canada", "CA"], ["Chile", "CL"],
  ["Denmark", "DK"], ["Finland", "FI"], ["France", "FR"], ["Germany", "DE"], ["Greece", "GR"], ["India", "IN"], ["Ireland", "IE"],
  ["Italy", "IT"], ["Japan", "JP"], ["Kenya", "KE"], ["Mexico", "MX"], ["Netherlands", "NL"], ["New Zealand", "NZ"], ["Nigeria", "NG"],
  ["Norway", "NO"], ["Poland", "PL"], ["Portugal", "PT"], ["South Korea", "KR"], ["Spain", "ES"], ["Sweden", "SE"],
  ["Switzerland", "CH"], ["United Kingdom", "GB"], ["United States", "US"],
];
