#!/bin/sh
# Demo data of the pairing service: 太原市 (city:140100) forms its first work group, serves
# every enterprise of the city with it, gives its ACTIVE enterprises a mentor capacity of 3
# (registry), and runs the matching; the photovoltaic alliance guides the city's
# photovoltaic enterprises. Runs after the demo enterprises are loaded, innovctl on PATH.
# Idempotent enough for a second `make run`: a city that already has a group is left alone.
CITY=140100
if innovctl group list --owner city:$CITY --json 2>/dev/null | grep -q '"id"'; then
    echo "pairing demo: city:$CITY already has work groups"
    exit 0
fi
codes() { innovctl --json enterprise list --city $CITY --all "$@" | sed -n 's/.*"creditCode": "\([^"]*\)".*/\1/p'; }

for c in $(codes --status active); do
    innovctl enterprise update "$c" --mentor-capacity 3 >/dev/null 2>&1
done

G=$(innovctl --as city:$CITY --json group add --owner city:$CITY --name 太原市第一工作专班 |
    sed -n 's/.*"id": "\([^"]*\)".*/\1/p')
[ -n "$G" ] || { echo "pairing demo: group add failed"; exit 0; }
innovctl --as city:$CITY group member add "$G" --name 王建国 --unit 太原市工业和信息化局 --rank division --kind official >/dev/null
innovctl --as city:$CITY group member add "$G" --name 李明 --unit 太原市科学技术局 --kind official >/dev/null
innovctl --as city:$CITY group member add "$G" --name 赵磊 --unit 小店区工业和信息化局 --kind official >/dev/null
innovctl --as city:$CITY group member add "$G" --name 陈静 --unit 太原理工大学 --kind technical --unit-kind university >/dev/null
innovctl --as city:$CITY group member add "$G" --name 刘洋 --unit 山西省光伏产业联盟 --kind alliance >/dev/null
innovctl --as city:$CITY group assign "$G" $(codes) >/dev/null
innovctl --as city:$CITY group ready "$G" >/dev/null
sleep 1    # the pairing follower projects the capacity updates
innovctl --as city:$CITY pair suggest --city $CITY --apply --limit 5
pv=$(innovctl --json enterprise list --city $CITY --cluster photovoltaic --all | sed -n 's/.*"creditCode": "\([^"]*\)".*/\1/p')
[ -n "$pv" ] && innovctl pair guidance link alliance.photovoltaic $pv
innovctl coverage --by city
exit 0
