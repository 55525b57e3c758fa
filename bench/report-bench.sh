#!/usr/bin/env bash
# Benchmark of the usage report (issue 5): seeds 1,000,000 jobs over 1,000 tenants and 90 days into its own
# database, starts the packaged application on it, and times GET /admin/reports/usage for the last full calendar
# month, grouped by tenant and model (the target: under 2 s). Not a test; run it by hand:
#
#   bench/report-bench.sh            # build, seed a fresh cp_bench, start the app, time the report
#   SKIP_BUILD=1 SKIP_SEED=1 bench/report-bench.sh   # reuse the jar and the seeded database
#
# Needs PostgreSQL and Redis on localhost (as for the tests), openssl, curl and psql.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${BENCH_DB:-cp_bench}
PORT=${BENCH_PORT:-8097}
# the application's management interface (health, metrics), on loopback
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-8098}
RUNS=${BENCH_RUNS:-5}
PSQL="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
WORK=$(mktemp -d)
APP_PID=
cleanup() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== building the application"
  ./mvnw -B -q package -DskipTests
fi
if [ -z "${SKIP_SEED:-}" ]; then
  echo "== fresh database $DB"
  $PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
fi

# the production profile, with the sandbox upstream and a throw-away admin and JWT key pair
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/sign.pem" 2>/dev/null
openssl pkey -in "$WORK/sign.pem" -pubout -out "$WORK/verify.pem"
ADMIN_PASSWORD=$(openssl rand -hex 16)
echo "== starting the application on port $PORT (database $DB)"
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" QUARKUS_REDIS_HOSTS="redis://127.0.0.1:6379/7" \
  QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT_PORT FAL_UPSTREAM=sandbox SANDBOX_PORT=0 PROXY_PUBLIC_URL="http://127.0.0.1:$PORT" \
  ADMIN_BOOTSTRAP_USERNAME=bench ADMIN_BOOTSTRAP_PASSWORD="$ADMIN_PASSWORD" \
  ADMIN_JWT_SIGN_KEY_LOCATION="$WORK/sign.pem" ADMIN_JWT_VERIFY_KEY_LOCATION="$WORK/verify.pem" \
  java -jar target/quarkus-app/quarkus-run.jar >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$MGMT_PORT/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$APP_PID" 2>/dev/null || { echo "the application did not start:"; tail -50 "$WORK/app.log"; exit 1; }
  sleep 1
done

if [ -z "${SKIP_SEED:-}" ]; then
  echo "== seeding 1,000 tenants and 1,000,000 jobs over 90 days (a few minutes)"
  start=$(date +%s)
  $PSQL -d "$DB" -f bench/report-seed.sql
  echo "   seeded in $(( $(date +%s) - start )) s"
fi

TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/admin/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench\",\"password\":\"$ADMIN_PASSWORD\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
FROM=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m-%d)
TO=$(date -u +%Y-%m-01)
URL="http://127.0.0.1:$PORT/admin/reports/usage?from=$FROM&to=$TO&tz=UTC&group_by=tenant,model"
echo "== GET /admin/reports/usage?from=$FROM&to=$TO&tz=UTC&group_by=tenant,model ($RUNS runs)"
for i in $(seq 1 "$RUNS"); do
  curl -fs -o "$WORK/report.json" -w "   run $i: %{time_total} s, %{size_download} bytes\n" -H "Authorization: Bearer $TOKEN" "$URL"
done
ROWS=$(grep -o '"tenant_id"' "$WORK/report.json" | wc -l)
echo "   rows: $((ROWS))"
echo "   totals: $(sed 's/.*"totals":\({[^}]*}\).*/\1/' "$WORK/report.json")"
curl -fs -o /dev/null -w "== same report as CSV: %{time_total} s, %{size_download} bytes\n" \
  -H "Authorization: Bearer $TOKEN" "$URL&format=csv"
curl -fs -o /dev/null -w "== by tenant, model and day in Asia/Shanghai: %{time_total} s, %{size_download} bytes\n" \
  -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/admin/reports/usage?from=$FROM&to=$TO&tz=Asia/Shanghai&group_by=tenant,model,day"
