#!/usr/bin/env bash
# Several ScopeViz replicas on this machine behind HAProxy, sharing live rooms through Redis:
# the layout of a large room (README, "Serving a large room"), all on 127.0.0.1.
#
#   deploy/cluster.sh up N          N replicas (hosted mode), Redis and HAProxy; prints the URL
#   deploy/cluster.sh down          stops everything it started
#   deploy/cluster.sh status        what runs, and whether each part answers
#   deploy/cluster.sh stop PART     stops one part: replicaK or redis (a fault, by hand)
#   deploy/cluster.sh start PART    starts it again
#
# HAProxy sends a browser's first request to the next replica (round robin) and pins the
# session to it with a cookie (SCOPEVIZ_REPLICA): Streamlit keeps a session's state in the
# replica's memory and its websocket must stay there. A replica that stops failing its health
# check gets no new sessions; its pages reconnect and are sent to another (option redispatch).
# Each replica names itself in the page's footer ("served by replica K").
#
# Settings (environment): SCOPEVIZ_CLUSTER_PORT (HAProxy, default 8500; replica K listens on
# that + K), SCOPEVIZ_CLUSTER_REDIS_PORT (default 6390), SCOPEVIZ_CLUSTER_DIR (pids, logs and
# configuration, default /tmp/scopeviz-cluster). Debian's redis-server and haproxy are
# installed if missing (apt-get; with sudo when not root).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
port=${SCOPEVIZ_CLUSTER_PORT:-8500}
redis_port=${SCOPEVIZ_CLUSTER_REDIS_PORT:-6390}
run=${SCOPEVIZ_CLUSTER_DIR:-/tmp/scopeviz-cluster}
python=${SCOPEVIZ_PYTHON:-$root/.venv/bin/python}
[ -x "$python" ] || python=python3
haproxy=/usr/sbin/haproxy

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

install_missing() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x "$haproxy" ] || missing+=(haproxy)
  [ ${#missing[@]} -eq 0 ] && return
  local sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

# wait_for WHAT SECONDS COMMAND...: runs COMMAND until it succeeds, or fails after SECONDS.
wait_for() {
  local what=$1 limit=$2
  shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "cluster.sh: $what did not answer in $limit s (logs in $run)" >&2
      return 1
    fi
    sleep 0.3
  done
}

healthy() { "$python" -c "import urllib.request, sys
sys.exit(urllib.request.urlopen(sys.argv[1], timeout=2).status != 200)" "$1"; }

replicas() { cat "$run/replicas" 2>/dev/null || echo 0; }

alive() { [ -f "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

start_redis() {
  mkdir -p "$run/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$run/redis" --daemonize yes --pidfile "$run/redis.pid" --logfile "$run/redis.log"
  wait_for "Redis" 30 redis-cli -p "$redis_port" ping
}

start_replica() {
  local k=$1
  # Its own session (setsid): stopping it stops its TensorFlow worker and runs too.
  SCOPEVIZ_HOSTED=1 SCOPEVIZ_REPLICA=$k SCOPEVIZ_REDIS_URL="redis://127.0.0.1:$redis_port/0" \
    setsid "$python" -m streamlit run app.py --server.port $((port + k)) \
    --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false \
    >"$run/replica$k.log" 2>&1 < /dev/null &
  echo $! >"$run/replica$k.pid"
}

write_haproxy_config() {
  local n=$1
  {
    cat <<EOF
global
    maxconn 4096
defaults
    mode http
    option redispatch
    retries 2
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
frontend scopeviz
    bind 127.0.0.1:$port
    default_backend replicas
backend replicas
    balance roundrobin
    cookie SCOPEVIZ_REPLICA insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
EOF
    for k in $(seq 1 "$n"); do
      echo "    server replica$k 127.0.0.1:$((port + k)) check inter 1s fall 2 rise 1 cookie r$k"
    done
  } >"$run/haproxy.cfg"
}

start_haproxy() {
  "$haproxy" -q -f "$run/haproxy.cfg" -D -p "$run/haproxy.pid"
}

stop_part() {
  local part=$1
  alive "$part" || { rm -f "$run/$part.pid"; return 0; }
  local pid
  pid=$(cat "$run/$part.pid")
  if [[ $part == replica* ]]; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  else
    kill -TERM "$pid"
  fi
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$run/$part.pid"
}

up() {
  local n=${1:-}
  [[ $n =~ ^[1-9][0-9]*$ ]] || usage
  if alive haproxy; then
    echo "cluster.sh: already up ($(replicas) replicas at http://127.0.0.1:$port); down first" >&2
    exit 1
  fi
  install_missing
  mkdir -p "$run"
  echo "$n" >"$run/replicas"
  start_redis
  for k in $(seq 1 "$n"); do start_replica "$k"; done
  for k in $(seq 1 "$n"); do
    wait_for "replica $k" 180 healthy "http://127.0.0.1:$((port + k))/_stcore/health"
  done
  write_haproxy_config "$n"
  start_haproxy
  wait_for "HAProxy" 30 healthy "http://127.0.0.1:$port/_stcore/health"
  echo "ScopeViz: http://127.0.0.1:$port ($n replicas, Redis on 127.0.0.1:$redis_port)"
}

down() {
  stop_part haproxy
  for k in $(seq 1 "$(replicas)"); do stop_part "replica$k"; done
  stop_part redis
  rm -f "$run/replicas"
}

status() {
  local n
  n=$(replicas)
  for part in haproxy redis $(seq -f "replica%g" 1 "$n"); do
    if alive "$part"; then echo "$part: running (pid $(cat "$run/$part.pid"))"
    else echo "$part: stopped"; fi
  done
}

part_ok() {
  local part=$1
  [[ $part == redis || ( $part =~ ^replica([1-9][0-9]*)$ && ${BASH_REMATCH[1]} -le $(replicas) ) ]] \
    || { echo "cluster.sh: no part '$part' (redis, or replica1..replica$(replicas))" >&2; exit 2; }
}

case "${1:-}" in
  up) up "${2:-}" ;;
  down) down ;;
  status) status ;;
  stop) part_ok "${2:-}"; stop_part "$2" ;;
  start)
    part_ok "${2:-}"
    alive "$2" && exit 0
    if [ "$2" = redis ]; then start_redis
    else
      start_replica "${2#replica}"
      wait_for "$2" 180 healthy "http://127.0.0.1:$((port + ${2#replica}))/_stcore/health"
    fi ;;
  *) usage ;;
esac
