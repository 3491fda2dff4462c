#!/bin/sh
# problems.sh: demo data of the problem list, run by deploy/run.sh once the demo
# enterprises are loaded (innovctl on PATH). A few problems of 太原 and 大同 enterprises
# at different rungs of the 13710 ladder: one awaiting assignment, one assigned to a
# department and in progress, one of the enterprise's own with its work group, one
# complex with a plan, one resolved and closed. Runs once: a stack that already has
# problems (data kept in var/) is left as it is.
set -eu

i=0
until innovctl --timeout-ms 500 --retries 1 services 2>/dev/null | grep -q '^problems\b\|problems '; do
  i=$((i+1)); [ $i -gt 50 ] && { echo "problems: the service did not register" >&2; exit 1; }
  sleep 0.2
done
if innovctl problem list --limit 1 --json | grep -q '"id"'; then
  echo "problems: demo data present"
  exit 0
fi

codes() {   # the first $2 credit codes of city $1
  innovctl enterprise list --city "$1" --limit "$2" --json |
    grep -o '"creditCode": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
}
set -- $(codes 140100 3) $(codes 140200 2)
[ $# -ge 5 ] || { echo "problems: not enough demo enterprises" >&2; exit 1; }
ty1=$1 ty2=$2 ty3=$3 dt1=$4 dt2=$5

id() { grep -o '"id": *"P[0-9]*"' | head -1 | sed 's/.*"\(P[0-9]*\)"$/\1/'; }

# awaiting assignment (the city's 1-day rung is running)
innovctl --as group:ty-jx-01 problem raise --enterprise "$ty1" --category funding \
  --description "技改项目缺少配套资金" --json | id >/dev/null

# assigned to 省工信厅, accepted, first progress reported
p=$(innovctl --as "ent:$ty2" problem raise --enterprise "$ty2" --category approval \
  --description "新建研发中心环评审批进度慢" --json | id)
innovctl --as city:140100 problem assign "$p" --to dept:sthjt --note "转省生态环境厅" >/dev/null
innovctl --as dept:sthjt problem accept "$p" >/dev/null
innovctl --as dept:sthjt problem progress "$p" --note "已开辟绿色通道，材料补正中" >/dev/null

# the enterprise's own: urged, its work group follows up
p=$(innovctl --as group:dt-cl-01 problem raise --enterprise "$dt1" --category talent \
  --description "缺少研发人员，未设研发机构" --kind own --json | id)
innovctl --as group:dt-cl-01 problem assign "$p" >/dev/null

# complex, from the hotline: routed to the city, a plan with a date
p=$(innovctl --as city:140200 problem raise --enterprise "$dt2" --category land \
  --description "研发楼建设用地手续" --complex --json | id)
innovctl --as city:140200 problem assign "$p" --to city:140200 >/dev/null
innovctl --as city:140200 problem accept "$p" >/dev/null
due=$(date -d '+45 days' +%Y-%m-%d 2>/dev/null || echo 2027-12-31)
innovctl --as city:140200 problem plan "$p" --plan "分两期办理：先临时用地，再办理出让" --date "$due" >/dev/null

# resolved and closed (清零)
p=$(innovctl --as group:ty-jx-02 problem raise --enterprise "$ty3" --category policy \
  --description "研发费用加计扣除政策不清楚" --json | id)
innovctl --as city:140100 problem assign "$p" --to dept:gxt >/dev/null
innovctl --as dept:gxt problem accept "$p" >/dev/null
innovctl --as dept:gxt problem resolve "$p" --note "已上门辅导申报" >/dev/null
innovctl --as group:ty-jx-02 problem close "$p" --note "企业确认" >/dev/null

echo "problems: 5 demo problems"
