#!/usr/bin/env bash
# Point-in-time recovery drill (docs/deploy.md, section 6), on a scratch PostgreSQL cluster of its own: WAL
# archiving, a base backup, a mistaken DELETE, then recovery to the moment before it. Prints the rows recovered
# ("1,2" is right) and PostgreSQL's own recovery lines. Run as root (the cluster runs as the postgres user);
# it never touches another cluster, and removes its folder at the end.
#
# Usage: sudo scripts/pitr-drill.sh
set -euo pipefail
B=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
T=$(mktemp -d /tmp/pitr-drill-XXXX)
chmod 755 "$T"; chown postgres: "$T"
P=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
as_pg() { runuser -u postgres -- "$@"; }
q() { as_pg "$B/psql" -h 127.0.0.1 -p "$P" -U postgres -qtAc "$1"; }
cleanup() {
  for d in data restored; do [ -f "$T/$d/postmaster.pid" ] && as_pg "$B/pg_ctl" -D "$T/$d" -w stop -m fast >/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT

as_pg "$B/initdb" -D "$T/data" -A trust -U postgres --no-sync >/dev/null
as_pg mkdir "$T/archive"
cat >> "$T/data/postgresql.conf" <<CONF
port = $P
listen_addresses = '127.0.0.1'
unix_socket_directories = '$T'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $T/archive/%f && cp %p $T/archive/%f'
archive_timeout = 60
CONF
as_pg "$B/pg_ctl" -D "$T/data" -l "$T/data.log" -w start >/dev/null
q "create table t (id int)"; q "insert into t values (1)"

# 1. The nightly base backup (tar, compressed, with the WAL it needs to be consistent).
as_pg "$B/pg_basebackup" -h 127.0.0.1 -p "$P" -U postgres -D "$T/base" -Ft -z -Xfetch
q "insert into t values (2)"
sleep 1; target=$(q "select now()"); sleep 1
q "delete from t"                                   # the mistake, one second after the target
q "select pg_switch_wal()" >/dev/null; sleep 2      # archive the segment holding it (archive_timeout does this)
as_pg "$B/pg_ctl" -D "$T/data" -w stop -m fast >/dev/null

# 2. Recovery: the base backup into an empty folder, the archive as restore_command, stop at the target.
as_pg mkdir -m 700 "$T/restored"
as_pg tar -xzf "$T/base/base.tar.gz" -C "$T/restored"
cat >> "$T/restored/postgresql.conf" <<CONF
restore_command = 'cp $T/archive/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
archive_mode = off
CONF
as_pg touch "$T/restored/recovery.signal"
as_pg "$B/pg_ctl" -D "$T/restored" -l "$T/restored.log" -w start >/dev/null
sleep 2
echo "recovered to $target: rows $(q "select string_agg(id::text, ',' order by id) from t")"
grep -E "recovery stopping|archive recovery complete" "$T/restored.log" | sed 's/^.*LOG: *//'
