#!/usr/bin/env python3
"""Write the seed corpora of tests/fuzz/corpus/<target>/ (small: a few files each).

    tests/fuzz/seeds.py [build/fuzz/bin]

fuzz_services gets one seed per service, its first method (the numbering comes from
the built target: FUZZ_LIST=1 build/fuzz/bin/fuzz_services); the fuzzer reaches the
other methods by changing the two method bytes.
"""
import hashlib, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
bindir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "build", "fuzz", "bin")


def write(target, data):
    folder = os.path.join(here, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# ---- fuzz_valid: codes and names as agencies write them
for text in ["91140105MA0GRHPF7X", "911401050000000000", "91140105ma0grhpf7x", "140105", "140100",
             "140000", "gxt", "山西省工业和信息化厅", "工业和信息化厅", "xinchuang", "半导体", "3612",
             "5110", "06", "9114010500000000", ""]:
    write("fuzz_valid", text.encode())

# ---- fuzz_entcsv: first byte = encoding choice (0 detect, 2 utf-8, 3 gb18030)
header = "统一社会信用代码,企业名称,县区代码,行业代码,主管部门,产业集群,营业收入(万元),研发费用(万元),是否有研发机构,是否有研发活动,状态"
rows = ['91140105MA0GRHPF7X,"太原某某科技有限公司",140105,3612,gxt,xinchuang,"1,234.5",88,是,否,未开展',
        '911401050000000000,晋中"测试"厂,140702,2710,省工信厅,,0,,Y,N,active']
csv = "\r\n".join([header] + rows) + "\r\n"
write("fuzz_entcsv", b"\x00" + csv.encode())
write("fuzz_entcsv", b"\x00\xef\xbb\xbf" + csv.encode())
write("fuzz_entcsv", b"\x00" + csv.encode("gb18030"))
write("fuzz_entcsv", b"\x03" + csv.encode("gb18030"))
write("fuzz_entcsv", b"\x02credit_code,name,county,industry,department\n\"a\nb\",\"x\"\"y\",,,\n")

# ---- fuzz_json: [type][mode] + JSON text (type 0 Enterprise, 1 Event, 2 Status)
for t, text in [(0, '{"creditCode":"91140105MA0GRHPF7X","name":"太原","county":"140105","operatingRevenue":1234.5,"hasRdInstitution":true,"alliances":["a","b"]}'),
                (0, '{"credit_code":"x","status":"ACTIVE","rd_expenditure":"NaN"}'),
                (1, '{"seq":"42","type":"enterprise.added","atMs":"1700000000000"}'),
                (2, '{"code":400,"message":"m","details":[{"field":"a.b","reason":"r"}]}'),
                (3, '{}'), (4, ''), (5, '{"limit":10,"cursor":"abc","unknown":null}'),
                (6, '[1,2,{"a":"\\u4e2d\\ud83d\\ude00"}]')]:
    write("fuzz_json", bytes([t, 0]) + text.encode())
write("fuzz_json", bytes([2, 0x80]) + bytes([0x08, 0x90, 0x03, 0x12, 0x01, 0x6d, 0x1a, 0x04, 0x0a, 0x02, 0x61, 0x62]))

# ---- fuzz_mdp_broker: conversations (see the encoding in fuzz_mdp_broker.c)
T = lambda i, last=False: bytes([0x80 | (0x40 if last else 0) | i])
R = lambda b, last=False: bytes([(0x40 if last else 0) | len(b)]) + b
ready = b"\x00" + T(1) + T(3) + T(9, True)                       # W1: MDPW02 READY echo
request = b"\x02" + T(0) + T(3) + T(9) + R(b"echo.say") + R(b"hello", True)
final = b"\x00" + T(1) + T(6) + T(18) + T(2) + R(b"\x08\xc8\x01", True)
partial = b"\x00" + T(1) + T(5) + T(18) + T(2) + R(b"part", True)
heartbeat = b"\x00" + T(1) + T(7, True)
disconnect = b"\x00" + T(1) + T(8, True)
mmi = b"\x02" + T(0) + T(3) + T(11) + R(b"", False) + R(b"echo", True)
mmis = b"\x02" + T(0) + T(3) + T(13) + R(b"", True)
big = b"\x02" + T(0) + T(3) + T(9) + R(b"m") + bytes([0x7f, 0x80]) + b"x" * 319
for seq in [ready, request, ready + request + final, ready + request + partial + final,
            request + ready + heartbeat + disconnect, mmi, mmis, ready + mmi,
            ready + ready, b"\x02" + T(15) + T(3, True), big, b"\x0b\x03abc" + T(0) + T(3, True)]:
    write("fuzz_mdp_broker", seq)

# ---- fuzz_mdp_peer: [to: bit 0 = worker] frames (fuzz_mdp_peer.c)
P = lambda i, last=False: bytes([0x80 | (0x40 if last else 0) | i])
for seq in [b"\x01" + P(1) + P(4) + P(10) + P(2) + R(b"province") + R(b"m") + R(b"req", True),  # REQUEST
            b"\x01" + P(1) + P(7, True),                                               # HEARTBEAT
            b"\x01" + P(1) + P(8, True),                                               # DISCONNECT
            b"\x00" + P(0) + P(5) + P(9) + R(b"status") + R(b"reply", True),          # FINAL
            b"\x00" + P(0) + P(4) + P(9) + R(b"part", True),                           # PARTIAL
            b"\x00" + P(2) + P(0) + P(5) + P(9, True)]:                                # enveloped
    write("fuzz_mdp_peer", seq)

# ---- fuzz_http: [method: 0 GET 1 POST 2 PATCH 3 DELETE] path "\n" body
for m, path, body in [(0, "/enterprises", ""), (1, "/enterprises", '{"creditCode":"91140105MA0GRHPF7X","name":"x"}'),
                      (0, "/enterprises/91140105MA0GRHPF7X", ""),
                      (2, "/enterprises/9114%30105MA0GRHPF7X", '{"name":"新名称","operatingRevenue":12}'),
                      (1, "/enterprises/91140105MA0GRHPF7X/transitions", '{"to":"IN_PROGRESS"}'),
                      (0, "/enterprises:search", ""), (3, "/enterprises/%zz", "")]:
    write("fuzz_http", bytes([m]) + path.encode() + b"\n" + body.encode())

# ---- fuzz_services: [method: 2 bytes][caller][request]
binary = os.path.join(bindir, "fuzz_services")
if os.path.exists(binary):
    listing = subprocess.run([binary], env=dict(os.environ, FUZZ_LIST="1"),
                             capture_output=True, text=True).stdout
    seen = set()
    for line in listing.splitlines():         # the first method of each service
        n, service = int(line.split()[0]), line.split()[1]
        if service not in seen:
            seen.add(service)
            write("fuzz_services", bytes([n >> 8, n & 255, 0]))
else:
    print("seeds.py: %s not built; fuzz_services seeds not written" % binary)
