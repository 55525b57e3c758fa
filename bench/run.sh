#!/usr/bin/env bash
# Throughput and latency of the proxy against nginx proxy_pass (issue 6). Not a test; run it by hand:
#
#   bench/run.sh                      # build, start everything, measure, check the money, print the table
#   SKIP_BUILD=1 bench/run.sh         # reuse target/quarkus-app
#   DURATION=30 bench/run.sh          # seconds per scenario (default 15)
#   WARMUP=60 bench/run.sh            # seconds of warm-up load, submits then polls (default 30 each)
#   WRITE_RESULTS=1 bench/run.sh      # also write the figures and the machine into bench/RESULTS.md
#   JFR=1 bench/run.sh                # also record a Java Flight Recording of the proxy and print its hottest frames
#   BENCH_APP=/tmp/old/quarkus-app SKIP_BUILD=1 bench/run.sh   # measure another build (a "before"), same script
#   PROFILE=submit bench/run.sh       # JFR of one scenario alone after the warm-up (poll, submit or hot), no table;
#   PROFILE=poll@5000 bench/run.sh    # the same at a constant rate, with its corrected latencies
#
# What runs, all on localhost and stopped by the script whatever happens:
#   - a canned fal: nginx answering fal-shaped JSON (submit 200 with $request_id and fal URLs, status 202
#     IN_QUEUE), so the figures measure the proxies and not the upstream;
#   - the baseline: nginx proxy_pass in front of the canned fal, upstream keep-alive on;
#   - the proxy: the packaged jar, prod profile, FAL_UPSTREAM=fal with FAL_QUEUE_URL at the canned fal, a dummy
#     FAL_KEY, JWT keys generated into a temp dir, a throw-away bootstrap admin, its own database
#     (cp_bench_proxy, recreated) and Redis database (BENCH_REDIS_DB, default 8; nothing is flushed).
# 1,000 tenants with one key each are seeded in SQL (balance 10^9 credits, one top-up ledger entry each).
# Load comes from wrk with the Lua scripts in bench/lua (auth headers, keys spread, POST bodies).
# Afterwards: balance = sum of the ledger for every tenant, one reserve entry per job, and no failed request.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DURATION=${DURATION:-15}
# the JIT needs a while on 2 shared cores: measured figures were still climbing after 20 s of load
WARMUP=${WARMUP:-30}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
# connections (each its own wrk thread) of the constant-rate latency runs, and the fixed rates README quotes
LAT_CONNS=${LAT_CONNS:-32}
POLL_FIXED_RATE=${POLL_FIXED_RATE:-1000}
SUBMIT_FIXED_RATE=${SUBMIT_FIXED_RATE:-200}
DB=${BENCH_DB:-cp_bench_proxy}
REDIS_DB=${BENCH_REDIS_DB:-8}
TENANTS=${BENCH_TENANTS:-1000}
UP_PORT=${BENCH_UPSTREAM_PORT:-18181}
NGINX_PORT=${BENCH_NGINX_PORT:-18182}
PROXY_PORT=${BENCH_PROXY_PORT:-18183}
# the proxy's management interface (health, metrics), on loopback
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-18184}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xms256m -Xmx256m -XX:+UseParallelGC -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -Xss512k}
PSQL="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt"
WORK=$(mktemp -d /tmp/bench-proxy.XXXXXX)
APP_PID=
NGINX_STARTED=
if [ -n "${PROFILE:-}" ]; then KEEP_WORK=1; fi
if [ -n "${JFR:-}" ]; then
  KEEP_WORK=1
  JAVA_OPTS="$JAVA_OPTS -XX:StartFlightRecording=filename=$WORK/proxy.jfr,settings=profile,dumponexit=true"
fi

cleanup() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  if [ -n "$NGINX_STARTED" ] && [ -f "$WORK/nginx.pid" ]; then
    nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  fi
  if [ -n "${KEEP_WORK:-}" ]; then echo "(work files kept in $WORK)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
export PATH="$PATH:/usr/sbin:/sbin"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need nginx; then
  echo "== installing wrk and nginx"
  apt-get install -y wrk nginx >/dev/null
fi
for port in "$UP_PORT" "$NGINX_PORT" "$PROXY_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use; set BENCH_*_PORT"; exit 1; fi
done

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== building the application"
  ./mvnw -B -q package -DskipTests
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- nginx: the canned fal and the proxy_pass baseline ------------------------------------------------
mkdir -p "$WORK/logs" "$WORK/tmp"
UP="http://127.0.0.1:$UP_PORT"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp/body;
  proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fastcgi;
  uwsgi_temp_path $WORK/tmp/uwsgi;
  scgi_temp_path $WORK/tmp/scgi;
  keepalive_requests 1000000;
  default_type application/json;
  # the canned fal: costs almost nothing, answers like fal's queue
  server {
    listen 127.0.0.1:$UP_PORT;
    location ~ ^/(?<app>[^/]+/[^/]+)/requests/(?<rid>[^/]+)/status\$ {
      return 202 '{"status":"IN_QUEUE","request_id":"\$rid","queue_position":0,"response_url":"$UP/\$app/requests/\$rid"}';
    }
    location ~ ^/(?<o>[^/]+)/(?<a>[^/]+) {
      return 200 '{"status":"IN_QUEUE","request_id":"\$request_id","response_url":"$UP/\$o/\$a/requests/\$request_id","status_url":"$UP/\$o/\$a/requests/\$request_id/status","cancel_url":"$UP/\$o/\$a/requests/\$request_id/cancel","queue_position":0}';
    }
  }
  # the baseline: the simplest real proxy
  upstream canned { server 127.0.0.1:$UP_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://canned;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
nginx -p "$WORK" -c "$WORK/nginx.conf"
NGINX_STARTED=1

# ---- the proxy ------------------------------------------------------------------------------------------
echo "== fresh database $DB"
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/sign.pem" 2>/dev/null
openssl pkey -in "$WORK/sign.pem" -pubout -out "$WORK/verify.pem"
ADMIN_PASSWORD=$(openssl rand -hex 16)
echo "== starting the proxy on port $PROXY_PORT ($JAVA_OPTS)"
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" QUARKUS_REDIS_HOSTS="redis://127.0.0.1:6379/$REDIS_DB" \
  QUARKUS_HTTP_PORT=$PROXY_PORT QUARKUS_MANAGEMENT_PORT=$MGMT_PORT FAL_UPSTREAM=fal FAL_QUEUE_URL="$UP" FAL_KEY="bench-key-id:bench-key-secret" \
  PROXY_PUBLIC_URL="http://127.0.0.1:$PROXY_PORT" \
  ADMIN_BOOTSTRAP_USERNAME=bench ADMIN_BOOTSTRAP_PASSWORD="$ADMIN_PASSWORD" \
  ADMIN_JWT_SIGN_KEY_LOCATION="$WORK/sign.pem" ADMIN_JWT_VERIFY_KEY_LOCATION="$WORK/verify.pem" \
  java $JAVA_OPTS -jar "${BENCH_APP:-target/quarkus-app}/quarkus-run.jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$MGMT_PORT/q/health/live" >/dev/null 2>&1 && break
  kill -0 "$APP_PID" 2>/dev/null || { echo "the proxy did not start:"; tail -50 "$WORK/app.log"; exit 1; }
  sleep 1
done

echo "== seeding $TENANTS tenants with a key each"
RUN=$(openssl rand -hex 6)
$PSQL -d "$DB" <<SQL
INSERT INTO tenants (name, balance)
  SELECT 'bench-' || i, 1000000000 FROM generate_series(1, $TENANTS) i;
INSERT INTO ledger_entries (tenant_id, amount, balance_after, kind, reason, created_by)
  SELECT id, 1000000000, 1000000000, 'topup', 'bench seed', 'bench' FROM tenants;
INSERT INTO api_keys (tenant_id, name, prefix, key_hash)
  SELECT id, 'bench', 'cp_bench', encode(sha256(convert_to('cp_bench_${RUN}_' || id, 'UTF8')), 'hex') FROM tenants;
SQL
$PSQL -d "$DB" -c "SELECT 'cp_bench_${RUN}_' || id FROM tenants ORDER BY id" >"$WORK/keys.txt"
head -1 "$WORK/keys.txt" >"$WORK/hot-key.txt"
HOT_TENANT=$($PSQL -d "$DB" -c "SELECT min(id) FROM tenants")

# ---- measuring -------------------------------------------------------------------------------------------
export BENCH_LUA="$ROOT/bench/lua" BENCH_THREADS=$THREADS
FAILED=0
# run NAME URL SCRIPT PAIRS RATE SECONDS: wrk output in $WORK/NAME.txt. RATE 0: as fast as possible, $THREADS threads
# over $CONNS connections. RATE > 0: a constant rate over $LAT_CONNS connections, one wrk thread each, measured from
# each request's scheduled send time (coordinated omission corrected, bench/lua/common.lua)
run() {
  local name=$1 url=$2 script=$3 pairs=$4 rate=$5 seconds=$6 threads=$THREADS conns=$CONNS
  if [ "$rate" != "0" ]; then threads=$LAT_CONNS; conns=$LAT_CONNS; fi
  BENCH_PAIRS=$pairs BENCH_RATE=$rate BENCH_CONNS=$conns \
    wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout 10s --latency -s "$BENCH_LUA/$script" "$url" >"$WORK/$name.txt" 2>&1
}
rps() { awk '/^Requests\/sec/ {printf "%d", $2}' "$WORK/$1.txt"; }
# a percentile (50, 90, 99, 99.9) of a constant-rate run's corrected latencies, in ms
pct() {
  awk -v p="p$2" '/^CO-corrected latency/ { for (i = 1; i < NF; i++) if ($i == p) printf "%.2f", $(i + 1) }' "$WORK/$1.txt"
}
# requests a constant-rate run sent after their scheduled time (the server, or wrk, fell behind)
behind() { awk '/^CO-corrected latency/ { sub(/.*answers, /, ""); print $1 + 0 }' "$WORK/$1.txt"; }
# requests that failed: non-2xx answers, socket errors, timeouts
failures() {
  awk '/Non-2xx or 3xx responses/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$WORK/$1.txt"
}
check() {
  local f; f=$(failures "$1")
  if [ "$f" != "0" ]; then echo "   !! $1: $f failed requests"; FAILED=$((FAILED + f)); fi
}
RSS_MAX=0
sample_rss() {
  while kill -0 "$APP_PID" 2>/dev/null; do
    local kb; kb=$(awk '/VmRSS/ {print $2}' "/proc/$APP_PID/status" 2>/dev/null || echo 0)
    echo "$kb" >>"$WORK/rss.txt"
    sleep 0.5
  done
}

echo "== warm-up (JIT, pools, caches): $WARMUP s of submits, then of polls"
run warm "http://127.0.0.1:$PROXY_PORT" submit.lua "$WORK/keys.txt" 0 "$WARMUP"
check warm
$PSQL -d "$DB" -c "SELECT k, j.request_id FROM jobs j JOIN (SELECT tenant_id, 'cp_bench_${RUN}_' || tenant_id AS k FROM api_keys) a
                   USING (tenant_id) WHERE j.request_id IS NOT NULL ORDER BY random() LIMIT 5000" | tr '|' ' ' >"$WORK/polls.txt"
run warm-poll "http://127.0.0.1:$PROXY_PORT" poll.lua "$WORK/polls.txt" 0 "$WARMUP"
check warm-poll

# hottest JFR frames: top of stack; the first frame of the proxy's own code; the threads
print_profile() {
  kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; APP_PID=
  echo "== hottest frames, from $WORK/proxy.jfr"
  jfr print --stack-depth 64 --events jdk.ExecutionSample "$WORK/proxy.jfr" >"$WORK/samples.txt"
  echo "-- samples: $(grep -c '^jdk.ExecutionSample' "$WORK/samples.txt"); top of stack:"
  awk '/stackTrace = \[/ {getline; sub(/^ +/, ""); sub(/line:.*/, ""); print}' "$WORK/samples.txt" | sort | uniq -c | sort -rn | head -25
  echo "-- first frame of the proxy's own code (none: Vert.x, Netty, the JDK):"
  awk '/stackTrace = \[/ {s = 1; f = ""; next} s && /^[[:space:]]*\]/ {print (f == "" ? "(none)" : f); s = 0; next}
       s && f == "" && /io\.creditproxy/ {f = $0; sub(/^ +/, "", f); sub(/line:.*/, "", f)}' "$WORK/samples.txt" | sort | uniq -c | sort -rn | head -25
  echo "-- threads:"
  awk '/sampledThread = / {t = $0; sub(/.*= "/, "", t); sub(/".*/, "", t); gsub(/[0-9]+/, "N", t); print t}' "$WORK/samples.txt" |
    sort | uniq -c | sort -rn | head -8
}
if [ -n "${PROFILE:-}" ]; then
  # the recording covers the profiled run only, not the start-up and warm-up
  [ -n "${NO_JFR:-}" ] || jcmd "$APP_PID" JFR.start name=profile settings=profile filename="$WORK/proxy.jfr" >/dev/null
  # poll, submit, hot: as fast as possible; poll@RATE, submit@RATE: a constant rate (for a latency tail)
  P_RATE=0; [[ "$PROFILE" == *@* ]] && P_RATE=${PROFILE#*@}
  case "${PROFILE%@*}" in
    poll) run profile "http://127.0.0.1:$PROXY_PORT" poll.lua "$WORK/polls.txt" "$P_RATE" "$DURATION" ;;
    submit) run profile "http://127.0.0.1:$PROXY_PORT" submit.lua "$WORK/keys.txt" "$P_RATE" "$DURATION" ;;
    hot) run profile "http://127.0.0.1:$PROXY_PORT" submit.lua "$WORK/hot-key.txt" "$P_RATE" "$DURATION" ;;
    *) echo "PROFILE is poll, submit or hot, optionally @RATE"; exit 1 ;;
  esac
  [ -n "${NO_JFR:-}" ] || jcmd "$APP_PID" JFR.stop name=profile >/dev/null
  echo "== $PROFILE alone: $(rps profile)/s; failed requests: $(failures profile)"
  grep '^CO-corrected' "$WORK/profile.txt" || true
  [ -n "${NO_JFR:-}" ] || print_profile
  exit 0
fi

sample_rss &
RSS_PID=$!
# CPU time the hypervisor gave to other guests (steal) while measuring: on a shared VM it moves every figure
cpu_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9}' /proc/stat; }
read -r TICKS_BEFORE STEAL_BEFORE <<<"$(cpu_ticks)"

echo "== polls: direct to the canned fal, nginx, proxy (${DURATION} s each, $CONNS connections)"
run poll-direct "$UP" poll.lua "$WORK/polls.txt" 0 "$DURATION"
run poll-nginx "http://127.0.0.1:$NGINX_PORT" poll.lua "$WORK/polls.txt" 0 "$DURATION"
run poll-proxy "http://127.0.0.1:$PROXY_PORT" poll.lua "$WORK/polls.txt" 0 "$DURATION"
for n in poll-direct poll-nginx poll-proxy; do check $n; done

echo "== submits over $TENANTS tenants: nginx, proxy"
run submit-nginx "http://127.0.0.1:$NGINX_PORT" submit.lua "$WORK/keys.txt" 0 "$DURATION"
run submit-proxy "http://127.0.0.1:$PROXY_PORT" submit.lua "$WORK/keys.txt" 0 "$DURATION"
check submit-nginx; check submit-proxy

echo "== submits on one hot tenant, $CONNS connections: nginx, proxy"
run hot-nginx "http://127.0.0.1:$NGINX_PORT" submit.lua "$WORK/hot-key.txt" 0 "$DURATION"
run hot-proxy "http://127.0.0.1:$PROXY_PORT" submit.lua "$WORK/hot-key.txt" 0 "$DURATION"
check hot-nginx; check hot-proxy

# the latency rows: at half of the proxy's own measured maximum, and at the fixed rates README states; the canned fal
# (direct) and nginx are measured at the same rates, and "added" is the proxy's (or nginx's) figure minus direct's
POLL_RATE=$(( $(rps poll-proxy) / 2 ))
SUBMIT_RATE=$(( $(rps submit-proxy) / 2 ))
LAT_ROWS="poll-half:poll.lua:polls.txt:$POLL_RATE poll-fixed:poll.lua:polls.txt:$POLL_FIXED_RATE"
LAT_ROWS="$LAT_ROWS submit-half:submit.lua:keys.txt:$SUBMIT_RATE submit-fixed:submit.lua:keys.txt:$SUBMIT_FIXED_RATE"
echo "== latency at constant rates, $LAT_CONNS connections, ${DURATION} s each: polls $POLL_RATE/s and $POLL_FIXED_RATE/s, submits $SUBMIT_RATE/s and $SUBMIT_FIXED_RATE/s"
for row in $LAT_ROWS; do
  IFS=: read -r label script pairs rate <<<"$row"
  run "lat-$label-direct" "$UP" "$script" "$WORK/$pairs" "$rate" "$DURATION"
  run "lat-$label-nginx" "http://127.0.0.1:$NGINX_PORT" "$script" "$WORK/$pairs" "$rate" "$DURATION"
  run "lat-$label-proxy" "http://127.0.0.1:$PROXY_PORT" "$script" "$WORK/$pairs" "$rate" "$DURATION"
  for w in direct nginx proxy; do check "lat-$label-$w"; done
done

kill "$RSS_PID" 2>/dev/null || true; wait "$RSS_PID" 2>/dev/null || true
read -r TICKS_AFTER STEAL_AFTER <<<"$(cpu_ticks)"
STEAL_PCT=$(awk -v s=$((STEAL_AFTER - STEAL_BEFORE)) -v t=$((TICKS_AFTER - TICKS_BEFORE)) 'BEGIN { printf "%.0f", (t > 0 ? 100 * s / t : 0) }')
RSS_MB=$(sort -n "$WORK/rss.txt" | tail -1 | awk '{printf "%d", $1 / 1024}')
NGINX_RSS_MB=$(ps -o rss= --ppid "$(cat "$WORK/nginx.pid")" | awk '{s += $1} END {printf "%d", s / 1024}')

# ---- the money -------------------------------------------------------------------------------------------
echo "== checking the money"
BAD_TENANTS=$($PSQL -d "$DB" -c "SELECT count(*) FROM tenants t
  WHERE t.balance <> (SELECT coalesce(sum(amount), 0) FROM ledger_entries l WHERE l.tenant_id = t.id)")
BAD_JOBS=$($PSQL -d "$DB" -c "SELECT count(*) FROM jobs j
  WHERE (SELECT count(*) FROM ledger_entries l WHERE l.job_id = j.id AND l.kind = 'reserve') <> 1")
NEGATIVE=$($PSQL -d "$DB" -c "SELECT count(*) FROM tenants WHERE balance < -credit_limit")
JOBS=$($PSQL -d "$DB" -c "SELECT count(*) FROM jobs")
UNSUBMITTED=$($PSQL -d "$DB" -c "SELECT count(*) FROM jobs WHERE status <> 'SUBMITTED'")
CHARGED=$($PSQL -d "$DB" -c "SELECT -coalesce(sum(amount), 0) FROM ledger_entries WHERE kind = 'reserve'")
echo "   jobs: $JOBS (not SUBMITTED: $UNSUBMITTED), credits reserved: $CHARGED (= 750 x jobs: $((JOBS * 750)))"
echo "   tenants whose balance differs from their ledger: $BAD_TENANTS; jobs without exactly one reserve: $BAD_JOBS; below limit: $NEGATIVE"
echo "   failed requests (non-2xx, socket errors, timeouts) over all runs: $FAILED"

# ---- the table -------------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
added() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = (dir == ">=") ? (v >= t) : (v <= t); print ok ? "met" : "NOT met" }'; }
P_N=$(rps poll-nginx); P_P=$(rps poll-proxy); P_D=$(rps poll-direct)
S_N=$(rps submit-nginx); S_P=$(rps submit-proxy); H_N=$(rps hot-nginx); H_P=$(rps hot-proxy)
# latency_row LABEL WHAT TARGET_MS: one table row, added p50 / p99 (and p99.9) through nginx and through the proxy
latency_row() {
  local label=$1 what=$2 target=$3 d50 d99 d999 n50 n99 p50 p99 p999 add99
  d50=$(pct "lat-$label-direct" 50); d99=$(pct "lat-$label-direct" 99); d999=$(pct "lat-$label-direct" 99.9)
  n50=$(pct "lat-$label-nginx" 50); n99=$(pct "lat-$label-nginx" 99)
  p50=$(pct "lat-$label-proxy" 50); p99=$(pct "lat-$label-proxy" 99); p999=$(pct "lat-$label-proxy" 99.9)
  add99=$(added "$p99" "$d99")
  echo "| $what (achieved $(rps "lat-$label-proxy")/s, $(behind "lat-$label-proxy") sent behind schedule): added p50 / p99 ms (p99.9) | $(added "$n50" "$d50") / $(added "$n99" "$d99") | $(added "$p50" "$d50") / $add99 ($(added "$p999" "$d999")) | | p99 ≤ $target ms | $(verdict "$add99" "$target" "<=") |"
  echo "lat-$label: direct p50/p99 $d50 / $d99 ms" >>"$WORK/direct.txt"
}
TABLE="$WORK/table.md"
{
  echo "| figure | nginx proxy_pass | credit-proxy | proxy / nginx | target | |"
  echo "|---|---:|---:|---:|---|---|"
  echo "| status polls/s (auth + ownership + forward; canned fal direct: $P_D/s) | $P_N | $P_P | $(ratio "$P_P" "$P_N") | ≥ 0.6 × nginx | $(verdict "$(ratio "$P_P" "$P_N")" 0.6 ">=") |"
  echo "| billed submits/s over $TENANTS tenants | $S_N | $S_P | $(ratio "$S_P" "$S_N") | ≥ 2,000/s | $(verdict "$S_P" 2000 ">=") |"
  echo "| billed submits/s, one hot tenant, $CONNS connections | $H_N | $H_P | $(ratio "$H_P" "$H_N") | ≥ 1,000/s | $(verdict "$H_P" 1000 ">=") |"
  latency_row poll-half "polls at $POLL_RATE/s (half the proxy's max)" 2
  latency_row poll-fixed "polls at $POLL_FIXED_RATE/s (fixed)" 2
  latency_row submit-half "submits at $SUBMIT_RATE/s (half the proxy's max)" 10
  latency_row submit-fixed "submits at $SUBMIT_FIXED_RATE/s (fixed)" 10
  echo "| RSS under load, MB (max of 0.5 s samples) | $NGINX_RSS_MB | $RSS_MB | | ≤ 512 MB | $(verdict "$RSS_MB" 512 "<=") |"
  echo
  echo "Added latency = a percentile through the proxy (or nginx) minus the same percentile straight to the canned fal at the"
  echo "same constant rate: wrk with bench/lua's pacing, $LAT_CONNS connections of one wrk thread each, every request"
  echo "timed from its scheduled send (coordinated omission corrected, as wrk2 does). Direct:"
  sed 's/^/  /' "$WORK/direct.txt"
  echo "Money after the run: $JOBS jobs, $BAD_TENANTS tenants with balance ≠ Σ ledger, $BAD_JOBS jobs without exactly"
  echo "one reserve entry, $NEGATIVE balances below their limit; failed requests over all runs: $FAILED."
  echo "CPU stolen by the hypervisor while measuring (steal in /proc/stat): $STEAL_PCT % of the machine's CPU time."
} >"$TABLE"
echo
cat "$TABLE"
if [ -n "${WRITE_RESULTS:-}" ]; then
  {
    echo "# Benchmark results: credit-proxy against nginx proxy_pass"
    echo
    echo "Written by \`WRITE_RESULTS=1 bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') ($DURATION s per scenario, $CONNS connections, wrk -t$THREADS)."
    echo
    echo "Machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc) cores,"
    echo "$(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); $(java -version 2>&1 | head -1); $(nginx -v 2>&1);"
    echo "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); PostgreSQL $($PSQL -d postgres -c 'SHOW server_version'); Redis $(redis-cli INFO server 2>/dev/null | awk -F: '/redis_version/ {print $2}' | tr -d '\r')."
    echo "Proxy JVM: \`$JAVA_OPTS\`, prod profile. Load average when the run started: $LOAD_BEFORE."
    echo "Everything (wrk, nginx, the proxy, PostgreSQL, Redis) shares the same cores, so each figure is a lower bound;"
    echo "other processes on the machine at the time also count against it."
    echo
    cat "$TABLE"
  } >bench/RESULTS.md
  echo "(written to bench/RESULTS.md)"
fi
if [ -n "${JFR:-}" ]; then print_profile; fi

if [ "$BAD_TENANTS" != "0" ] || [ "$BAD_JOBS" != "0" ] || [ "$NEGATIVE" != "0" ] || [ "$FAILED" != "0" ]; then
  echo "FAILED: the money or the requests did not check out"
  exit 1
fi
