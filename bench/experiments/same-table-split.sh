#!/bin/bash
# Same-table parallelism on 2 cores: one COPY pipe vs two pipes over ctid halves of one table (TID range scans), into a table without indexes.
set -e
M=postgres://postgres@127.0.0.1:5432
psql $M/postgres -qc "DROP DATABASE IF EXISTS split_src" -c "DROP DATABASE IF EXISTS split_tgt" -c "CREATE DATABASE split_src" -c "CREATE DATABASE split_tgt"
/usr/lib/postgresql/15/bin/pgbench -i -s ${SCALE:-20} -I dtgvp -q $M/split_src >/dev/null 2>&1
psql $M/split_src -qc "VACUUM (FREEZE, ANALYZE) pgbench_accounts"
psql $M/split_tgt -qc "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84))"
PAGES=$(psql $M/split_src -qAt -c "SELECT relpages FROM pg_class WHERE relname = 'pgbench_accounts'")
HALF=$((PAGES / 2))
echo "pages=$PAGES"
one() {
  psql $M/split_src -qc "COPY (SELECT * FROM pgbench_accounts) TO STDOUT (FORMAT binary)" | psql $M/split_tgt -qc "COPY pgbench_accounts FROM STDIN (FORMAT binary)"
}
two() {
  psql $M/split_src -qc "COPY (SELECT * FROM pgbench_accounts WHERE ctid < '($HALF,0)'::tid) TO STDOUT (FORMAT binary)" | psql $M/split_tgt -qc "COPY pgbench_accounts FROM STDIN (FORMAT binary)" &
  psql $M/split_src -qc "COPY (SELECT * FROM pgbench_accounts WHERE ctid >= '($HALF,0)'::tid) TO STDOUT (FORMAT binary)" | psql $M/split_tgt -qc "COPY pgbench_accounts FROM STDIN (FORMAT binary)" &
  wait
}
for round in 1 2 3; do
  for mode in one two; do
    psql $M/split_tgt -qc "TRUNCATE pgbench_accounts" -c "CHECKPOINT"
    s=$(date +%s.%N); $mode; e=$(date +%s.%N)
    n=$(psql $M/split_tgt -qAt -c "SELECT count(*) FROM pgbench_accounts")
    echo "round $round $mode $(echo "$e - $s" | bc) s rows=$n"
  done
done
psql $M/postgres -qc "DROP DATABASE split_src" -c "DROP DATABASE split_tgt"
