#!/bin/sh
# catalogue.sh: demo data of the catalogue, run by deploy/run.sh once the demo
# enterprises are loaded (innovctl on PATH). This year's key-technology directory (six
# entries in the three sectors, published, then one amendment with its reason), a few
# project applications of 太原 and 大同 enterprises at different steps, one
# demonstration, three policies and two support records. Runs once: a stack that
# already has a directory for the year (data kept in var/) is left as it is.
set -eu

i=0
until innovctl --timeout-ms 500 --retries 1 services 2>/dev/null | grep -q 'catalogue'; do
  i=$((i+1)); [ $i -gt 50 ] && { echo "catalogue: the service did not register" >&2; exit 1; }
  sleep 0.2
done
if innovctl tech list --all --json | grep -q '"id"'; then
  echo "catalogue: demo data present"
  exit 0
fi

codes() {   # the first $2 credit codes of city $1
  innovctl enterprise list --city "$1" --limit "$2" --json |
    grep -o '"creditCode": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
}
set -- $(codes 140100 4) $(codes 140200 2)
[ $# -ge 6 ] || { echo "catalogue: not enough demo enterprises" >&2; exit 1; }
ty1=$1 ty2=$2 ty3=$3 ty4=$4 dt1=$5 dt2=$6

tech() { innovctl tech add --json "$@" | grep -o '"id": *"T[0-9-]*"' | head -1 | sed 's/.*"\(T[0-9-]*\)"$/\1/'; }
t1=$(tech --name 氢燃料电池电堆 --sector green_energy --proposer-kind university --proposer 太原理工大学 --industries 3841,3849)
t2=$(tech --name 光伏异质结电池 --sector green_energy --proposer-kind enterprise --proposer 晋能清洁能源科技 --clusters 光伏)
t3=$(tech --name 高端轴承钢冶炼 --sector advanced_manufacturing --proposer-kind institute --proposer 太钢技术中心 --industries 3110)
t4=$(tech --name 煤机装备智能控制 --sector advanced_manufacturing --proposer-kind city --proposer 太原市 --clusters 煤机智能制造装备)
t5=$(tech --name 碳化硅单晶衬底 --sector digital_industry --proposer-kind enterprise --proposer 烁科晶体 --clusters 半导体)
tech --name 工业互联网标识解析 --sector digital_industry --proposer-kind city --proposer 大同市 >/dev/null
innovctl tech publish >/dev/null
innovctl tech amend "$t4" --name "煤机装备智能控制与远程运维" --reason "增补远程运维方向" >/dev/null

pid() { grep -o '"id": *"P[0-9-]*"' | head -1 | sed 's/.*"\(P[0-9-]*\)"$/\1/'; }
apply() {   # code tech name
  innovctl --as "ent:$1" project apply --json --code "$1" --tech "$2" --name "$3" --kind transformation \
    --chain strengthen --budget 3200 --milestones "设备安装@$(date +%Y)-06-30;试生产@$(date +%Y)-11-30" | pid
}
p1=$(apply "$ty1" "$t4" "智能综采装备产线改造")
p2=$(apply "$ty2" "$t3" "高端轴承钢真空冶炼技改")
p3=$(apply "$dt1" "$t2" "异质结电池量产线建设")
apply "$dt2" "$t1" "氢燃料电池电堆中试" >/dev/null
innovctl project review "$p1" >/dev/null
innovctl project review "$p2" >/dev/null
innovctl project review "$p3" >/dev/null
innovctl project select "$p1" >/dev/null
innovctl project select "$p3" >/dev/null
innovctl project fund "$p3" >/dev/null
innovctl project reject "$p2" --reason "投资测算依据不足" >/dev/null

innovctl demo add --kind smart_manufacturing --code "$ty1" --title 煤机智能工厂 \
  --experience "数字孪生排产，设备联网率95%，可在同类装备企业复制" --adopters "$ty3" >/dev/null
innovctl policy add --title 研发费用加计扣除 --level central --kind 税收 --issuer 财政部、税务总局 >/dev/null
innovctl policy add --title 首台套重大技术装备保险补偿 --level provincial --kind 资金 --industries 34,35 >/dev/null
innovctl --as city:140100 policy add --title 太原市企业研发机构建设奖励 --level city --city 140100 \
  --kind 平台 --rd-institution no --min-revenue 2000 >/dev/null
innovctl support add --kind first_unit --code "$ty1" --product 智能综采工作面成套装备 >/dev/null
innovctl support add --kind innovation_board --code "$ty4" --product 碳化硅外延设备 --ip "ZL202310001234.5" >/dev/null
echo "catalogue: directory of $(date +%Y) with 6 entries, 4 projects, 1 demonstration, 3 policies, 2 support records"
