#!/bin/sh
# report.sh: demo data of the monthly ledger reports, run by deploy/run.sh once the demo
# enterprises are loaded (innovctl on PATH). 太原, 大同 and 省工信厅 submit this month's
# report (on time or late depending on today's date: the due time is the 5th 00:00 CST);
# the other groups are left missing, so `innovctl report status` and the bulletin show
# all three states. Runs once: a month that already has 太原's report is left as it is.
set -eu

if innovctl report get --agency city:140100 >/dev/null 2>&1; then
  echo "report: demo data present"
  exit 0
fi

innovctl --as city:140100 report submit \
  --narrative "本月走访规上工业企业 36 家，新增研发机构 4 个，2 家企业完成销号材料初审。" >/dev/null
innovctl --as city:140200 report submit \
  --narrative "煤机智能制造装备集群联盟召开对接会，帮扶未开展企业 11 家制定研发计划。" >/dev/null
innovctl --as dept:gxt report submit \
  --narrative "编制政策菜单并下发各工作组；百项关键共性技术目录完成动态调整一次。" >/dev/null
innovctl report status | tail -1
