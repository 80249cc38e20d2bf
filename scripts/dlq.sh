#!/usr/bin/env bash
# The DLQ for operators: sends again every user, of every push of an app kept (8 days), whose task
# went to wxpush.push-dlq and surely did not reach WeChat — POST /v1/pushes/{id}/retry for each push
# of GET /v1/pushes (users already sent or unknown are never retried; a second run finds nobody).
#
#   scripts/dlq.sh retry API_URL APP_ID        with WXPUSH_API_KEY=<a push API key> in the environment
#   scripts/dlq.sh count API_URL APP_ID        how many would be retried, per push (nothing is sent)
#
# e.g. after a 45009 (daily quota) stopped broadcasts: wait for Beijing midnight, then run `retry`.
set -euo pipefail
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -eq 3 ] || usage
cmd=$1 api=${2%/} app=$3
[ "$cmd" = retry ] || [ "$cmd" = count ] || usage
: "${WXPUSH_API_KEY:?set WXPUSH_API_KEY to a push API key}"
command -v curl >/dev/null && command -v python3 >/dev/null || { echo "dlq: curl and python3 are needed" >&2; exit 1; }
auth=(-H "Authorization: Bearer $WXPUSH_API_KEY")
cursor="" total=0 pushes=0
while :; do
  page=$(curl -sf "${auth[@]}" "$api/v1/pushes?appId=$app&limit=200${cursor:+&cursor=$cursor}") || { echo "dlq: cannot list the pushes of $app" >&2; exit 1; }
  ids=$(python3 -c 'import json,sys; [print(p["requestId"], p["state"], p.get("retryable", 0)) for p in json.loads(sys.argv[1])["pushes"]]' "$page")
  while read -r rid state retryable; do
    [ -n "$rid" ] || continue
    [ "$state" = cancelled ] && continue
    pushes=$((pushes + 1))
    if [ "$cmd" = count ]; then
      [ "$retryable" -gt 0 ] && echo "$rid $state retryable=$retryable"
      total=$((total + retryable))
      continue
    fi
    reply=$(curl -sf -X POST "${auth[@]}" -H 'Content-Type: application/json' -d '{}' "$api/v1/pushes/$rid/retry?appId=$app") \
      || { echo "dlq: retry of $rid refused; run again later" >&2; continue; }
    n=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["retried"])' "$reply")
    [ "$n" -gt 0 ] && echo "retried $n user(s) of $rid"
    total=$((total + n))
  done <<<"$ids"
  cursor=$(python3 -c 'import json,sys,urllib.parse; c=json.loads(sys.argv[1]).get("nextCursor"); print(urllib.parse.quote(c) if c else "")' "$page")
  [ -n "$cursor" ] || break
done
[ "$cmd" = retry ] && echo "dlq: $total user(s) of $pushes push(es) of $app sent again"
[ "$cmd" = count ] && echo "dlq: $total user(s) of $app would be sent again (of $pushes push(es))"
exit 0
