/*  app.js: the dashboard of the innovation-coverage platform, plain JavaScript, no build step.

    Every figure comes from the gateway's JSON routes under /api/v1/ (proto3 JSON mapping:
    lowerCamelCase fields, enums by name, 64-bit integers as strings). The routes used are
    the table ROUTES below, one line per route, as docs/gateway.md lists them. When the
    gateway publishes its OpenAPI document, a section whose route is absent from it shows
    "暂无数据" without asking; otherwise a 404 or an unavailable service says the same.

    State lives in the URL fragment, so every view is a link (and a headless browser can
    be driven one URL at a time):
        #token=<bearer>&q=<name fragment>&city=<code>&detail=<credit code>
    A token given in the fragment is moved to sessionStorage and removed from the address.
    Every fetch sends "Authorization: Bearer <token>". Errors are shown in the banner in
    Chinese with the server's own reason; optional sections (pairings, projects,
    problems, trend, bulletin) report their trouble inline instead.

    Live updates: an EventSource on the events stream (the token goes as a query parameter,
    since EventSource cannot set headers); when it fails the page polls every 30 s.
    Data is only ever put into the page with textContent, never as HTML. */
(function () {
    'use strict';

    /* ---- reference data (data/shanxi_divisions.csv, data/shanxi_departments.csv) ---------- */

    /* The 11 prefecture cities with their cell on the schematic map (column, row). */
    var CITIES = [
        { code: '140200', name: '大同市', x: 2, y: 0 },
        { code: '140600', name: '朔州市', x: 1, y: 1 },
        { code: '140900', name: '忻州市', x: 1, y: 2 },
        { code: '140300', name: '阳泉市', x: 2, y: 3 },
        { code: '141100', name: '吕梁市', x: 0, y: 3 },
        { code: '140100', name: '太原市', x: 1, y: 3 },
        { code: '140700', name: '晋中市', x: 1, y: 4 },
        { code: '140400', name: '长治市', x: 2, y: 5 },
        { code: '141000', name: '临汾市', x: 0, y: 5 },
        { code: '140500', name: '晋城市', x: 2, y: 6 },
        { code: '140800', name: '运城市', x: 0, y: 7 }
    ];
    var CITY_ORDER = ['140100', '140200', '140300', '140400', '140500', '140600',
                      '140700', '140800', '140900', '141000', '141100'];
    var DEPARTMENTS = {
        gxt: '省工信厅', nyj: '省能源局', kjt: '省科技厅', sthjt: '省生态环境厅',
        fgw: '省发展改革委', gzw: '省国资委', swt: '省商务厅', nynct: '省农业农村厅',
        wjw: '省卫生健康委', scjgj: '省市场监管局', zrzyt: '省自然资源厅', jyt: '省教育厅',
        czt: '省财政厅', jrj: '省地方金融监管局'
    };
    var STATUS = {
        NOT_STARTED: '未开展', IN_PROGRESS: '推进中', ACTIVE: '已开展', CLOSED: '已销号',
        STATUS_UNSPECIFIED: '未知'
    };
    var STATUS_BY_NUMBER = ['STATUS_UNSPECIFIED', 'NOT_STARTED', 'IN_PROGRESS', 'ACTIVE', 'CLOSED'];
    var LIGHTS = { green: '绿', yellow: '黄', red: '红' };
    var LIGHT_RANK = { red: 0, yellow: 1, green: 2 };
    var KINDS = { reminder: '提醒', overdue: '逾期', escalation: '升级督办', event: '动态' };
    var ACTIONS = {
        transition: '状态变更', close_request: '申请销号', close_approve: '销号通过',
        close_reject: '销号退回', create: '建档'
    };

    /* ---- routes (docs/gateway.md) --------------------------------------------------------- */

    var ROUTES = {
        openapi:     '/api/v1/openapi.json',
        coverage:    '/api/v1/enterprises:count',
        enterprises: '/api/v1/enterprises',
        search:      '/api/v1/enterprises:search',
        enterprise:  '/api/v1/enterprises/{creditCode}',
        history:     '/api/v1/enterprises/{creditCode}/history',
        pairings:    '/api/v1/pairings',
        projects:    '/api/v1/projects',
        problems:    '/api/v1/problems',
        notices:     '/api/v1/notices',
        deadlines:   '/api/v1/deadlines',
        reports:     '/api/v1/reports',
        assessment:  '/api/v1/reports:assessment',
        reportStatus:'/api/v1/reports:status',
        bulletin:    '/api/v1/reports:bulletin',
        agencies:    '/api/v1/agencies',
        tokens:      '/api/v1/tokens',
        events:      '/api/v1/events/stream',
        metrics:     '/metrics'
    };
    /* The broker service behind each route of another service than the registry. */
    var SERVICE_OF = {
        pairings: 'pairing', projects: 'catalogue', problems: 'problems', notices: 'notify',
        deadlines: 'notify', assessment: 'report', reportStatus: 'report', bulletin: 'report'
    };
    /* Query parameter that carries the token for the event stream only. */
    var STREAM_TOKEN_PARAM = 'access_token';
    var POLL_MS = 30000;
    var TOKEN_KEY = 'innov.token';

    var openapiPaths = null;      /* set of documented paths, or null when not known */
    var running = null;           /* services with workers (the gateway's /metrics), or null */
    var agencyNames = {};         /* code -> name, filled from the agencies route */
    var me = '';                  /* the token's principal, from the tokens route ("" unknown) */
    var state = { q: '', city: '', detail: '' };
    var searchCursor = '';
    var eventSource = null;
    var pollTimer = null;
    var liveOption = '';          /* the fragment's "live": "0" off, "N" N events from the start */
    var liveCount = 0;
    var refreshTimer = null;

    /* ---- small helpers -------------------------------------------------------------------- */

    function $(id) { return document.getElementById(id); }

    function el(tag, attrs, children) {
        var node = document.createElement(tag);
        if (attrs)
            Object.keys(attrs).forEach(function (k) {
                if (k === 'text') node.textContent = attrs[k];
                else if (k === 'class') node.className = attrs[k];
                else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), attrs[k]);
                else node.setAttribute(k, attrs[k]);
            });
        (children || []).forEach(function (c) {
            if (c === null || c === undefined) return;
            node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
        });
        return node;
    }

    function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

    function empty(node, why) {
        clear(node).appendChild(el('p', { class: 'empty', text: '暂无数据' + (why ? '（' + why + '）' : '') }));
    }

    function num(v) { var n = Number(v); return isFinite(n) ? n : 0; }

    function pad(n) { return n < 10 ? '0' + n : String(n); }

    /* A Unix-ms instant in China Standard Time (UTC+8, no daylight saving). */
    function cst(ms, withTime) {
        if (!ms || num(ms) === 0) return '—';
        var d = new Date(num(ms) + 8 * 3600 * 1000);
        var s = d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
        if (withTime !== false) s += ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
        return s;
    }

    function statusName(s) {
        if (typeof s === 'number') s = STATUS_BY_NUMBER[s] || 'STATUS_UNSPECIFIED';
        return s || 'NOT_STARTED';          /* proto3 JSON omits the default */
    }

    function statusBadge(s, closing) {
        var name = statusName(s);
        var badge = el('span', { class: 'status s-' + name.toLowerCase(), text: STATUS [name] || name });
        if (closing && name === 'ACTIVE')
            return el('span', null, [badge, ' ', el('span', { class: 'status s-review', text: '销号审核中' })]);
        return badge;
    }

    function cityName(code) {
        for (var i = 0; i < CITIES.length; i++)
            if (CITIES [i].code === code) return CITIES [i].name;
        return agencyNames [code] || code || '—';
    }

    /* "city:140100" -> 太原市, "dept:gxt" -> 省工信厅, "province" -> 省推进小组 */
    function principalName(p) {
        if (!p) return '—';
        if (p === 'province') return '省推进小组';
        var i = p.indexOf(':');
        if (i < 0) return p;
        var kind = p.slice(0, i), code = p.slice(i + 1);
        if (kind === 'city') return cityName(code);
        if (kind === 'county') return agencyNames [code] || ('县区 ' + code);
        if (kind === 'dept') return DEPARTMENTS [code] || agencyNames [code] || code;
        if (kind === 'ent') return '企业 ' + code;
        if (kind === 'group') return '工作组 ' + code;
        if (kind === 'service') return '服务 ' + code;
        return p;
    }

    /* ---- the token and the URL fragment --------------------------------------------------- */

    function token() {
        try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return memoryToken; }
    }
    var memoryToken = '';
    function setToken(t) {
        memoryToken = t || '';
        try {
            if (t) sessionStorage.setItem(TOKEN_KEY, t);
            else sessionStorage.removeItem(TOKEN_KEY);
        } catch (e) { /* storage refused: keep it in memory for this page */ }
    }

    function readHash() {
        var h = location.hash.replace(/^#/, ''), out = {};
        h.split('&').forEach(function (pair) {
            if (!pair) return;
            var i = pair.indexOf('='), k = i < 0 ? pair : pair.slice(0, i);
            var v = i < 0 ? '' : pair.slice(i + 1);
            try { out [decodeURIComponent(k)] = decodeURIComponent(v.replace(/\+/g, ' ')); }
            catch (e) { /* a malformed escape: ignore that pair */ }
        });
        return out;
    }

    function writeHash(s) {
        var parts = [];
        ['q', 'city', 'detail'].forEach(function (k) {
            if (s [k]) parts.push(k + '=' + encodeURIComponent(s [k]));
        });
        if (liveOption) parts.push('live=' + encodeURIComponent(liveOption));
        var h = parts.length ? '#' + parts.join('&') : '';
        if (location.hash !== h)
            history.replaceState(null, '', location.pathname + location.search + h);
    }

    /* ---- talking to the gateway ----------------------------------------------------------- */

    var STATUS_TEXT = {
        400: '请求有误', 401: '未登录或令牌无效', 403: '无权访问', 404: '未找到',
        409: '状态冲突', 413: '请求过大', 415: '不支持的格式', 429: '请求过于频繁',
        500: '服务器内部错误', 502: '网关错误', 503: '服务暂不可用', 504: '服务响应超时'
    };

    function ApiError(status, reason, fields) {
        this.status = status;
        this.reason = reason || '';
        this.fields = fields || [];
        var text = STATUS_TEXT [status] || (status ? 'HTTP ' + status : '无法连接网关');
        var detail = this.reason;
        this.fields.forEach(function (f) {
            var why = f.reason || f.message || '';
            if (why && detail.indexOf(why) < 0) detail += (detail ? '；' : '') + (f.field ? f.field + '：' : '') + why;
        });
        this.message = text + (detail ? '：' + detail : '');
    }

    /* The server's reason, whatever shape its error body has. */
    function reasonOf(body, text) {
        if (body && typeof body === 'object') {
            var e = body.error && typeof body.error === 'object' ? body.error : body;
            var r = e.message || e.reason || e.detail || (typeof body.error === 'string' ? body.error : '');
            var fields = e.fields || e.fieldErrors || e.details || [];
            return { reason: String(r || ''), fields: Array.isArray(fields) ? fields : [] };
        }
        return { reason: (text || '').trim().slice(0, 300), fields: [] };
    }

    function url(name, params, query) {
        var path = ROUTES [name].replace(/\{(\w+)\}/g, function (_, k) {
            return encodeURIComponent(params && params [k] !== undefined ? params [k] : '');
        });
        var q = [];
        Object.keys(query || {}).forEach(function (k) {
            if (query [k] !== undefined && query [k] !== null && query [k] !== '')
                q.push(encodeURIComponent(k) + '=' + encodeURIComponent(query [k]));
        });
        return path + (q.length ? (path.indexOf('?') < 0 ? '?' : '&') + q.join('&') : '');
    }

    /* True / false when the OpenAPI document says, null when it is not known. */
    function offered(name) {
        if (!openapiPaths) return null;
        var path = ROUTES [name].split('?') [0];   /* the document may list paths under its server's /api/v1 */
        return openapiPaths.has(path) || openapiPaths.has(path.replace(/^\/api\/v1/, ''));
    }

    function api(path) {
        var headers = { 'Accept': 'application/json' };
        var t = token();
        if (t) headers ['Authorization'] = 'Bearer ' + t;
        return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
            return res.text().then(function (text) {
                var body = null;
                try { body = text ? JSON.parse(text) : {}; } catch (e) { body = null; }
                if (!res.ok) {
                    var r = reasonOf(body, text);
                    throw new ApiError(res.status, r.reason, r.fields);
                }
                if (body === null) throw new ApiError(res.status, '返回的不是 JSON');
                return body;
            });
        }, function () {
            throw new ApiError(0, '网络错误，网关是否在运行？');
        });
    }

    /* False when the gateway's metrics show no worker of the route's service. */
    function serviceUp(name) {
        var svc = SERVICE_OF [name];
        return !svc || !running || running.has(svc);
    }

    /* An optional section: not offered, not found or its service not running: "暂无数据". */
    function optional(name, params, query, node, render) {
        if (offered(name) === false) { empty(node); return Promise.resolve(null); }
        if (!serviceUp(name)) { empty(node, '服务未运行'); return Promise.resolve(null); }
        clear(node).appendChild(el('p', { class: 'loading', text: '加载中…' }));
        return api(url(name, params, query)).then(function (body) {
            render(body);
            return body;
        }).catch(function (err) {
            if (!(err instanceof ApiError))      /* a reply of a shape the page cannot show */
                clear(node).appendChild(el('p', { class: 'inline-error', text: '无法显示：' + err }));
            else if (err.status === 404 || err.status === 405 || err.status === 501) empty(node);
            else if (err.status === 503 || err.status === 502 || err.status === 504)
                empty(node, '服务未运行：' + (err.reason || STATUS_TEXT [err.status]));
            else if (err.status === 401) { empty(node); showError(err); }
            else {
                clear(node).appendChild(el('p', { class: 'inline-error', text: '加载失败：' + err.message }));
            }
            return null;
        });
    }

    /* ---- the error banner ----------------------------------------------------------------- */

    function showError(err) {
        $('error-text').textContent = err && err.message ? err.message : String(err);
        $('error-banner').hidden = false;
    }
    function hideError() { $('error-banner').hidden = true; $('error-text').textContent = ''; }

    /* ---- generic rendering of lists whose shape the page does not know in advance ------------ */

    var LABELS = {
        id: '编号', title: '标题', name: '名称', status: '状态', state: '状态', kind: '类别',
        stage: '阶段', light: '灯', dueMs: '截止时间', createdMs: '创建时间', updatedMs: '更新时间',
        openedMs: '开始时间', closedMs: '办结时间', group: '工作组', mentor: '帮扶企业',
        mentee: '受帮扶企业', enterprise: '企业', expert: '专家', agency: '责任单位',
        assignee: '承办单位', responsible: '责任单位', category: '类别', summary: '摘要',
        description: '描述', amount: '金额', budget: '经费(万元)', startMs: '开始时间',
        endMs: '结束时间', period: '期间', month: '月份', level: '级别', type: '类型'
    };

    /* The first array of objects in a reply ({pairings: [...]}, {items: [...]}, [...]). */
    function firstList(body) {
        if (Array.isArray(body)) return body;
        if (!body || typeof body !== 'object') return [];
        var keys = Object.keys(body);
        for (var i = 0; i < keys.length; i++)
            if (Array.isArray(body [keys [i]])) return body [keys [i]];
        return [];
    }

    function cell(key, v) {
        if (v === null || v === undefined) return '—';
        if (/Ms$/.test(key)) return cst(v);
        if (key === 'light') return lightNode(v);
        if (key === 'status' && STATUS [v]) return STATUS [v];
        if (Array.isArray(v)) return v.map(function (x) { return typeof x === 'object' ? JSON.stringify(x) : x; }).join('、');
        if (typeof v === 'object') return JSON.stringify(v);
        if (typeof v === 'boolean') return v ? '是' : '否';
        return String(v);
    }

    function genericTable(rows, caption) {
        var keys = [];
        rows.slice(0, 50).forEach(function (r) {
            Object.keys(r).forEach(function (k) {
                if (keys.indexOf(k) < 0 && (typeof r [k] !== 'object' || r [k] === null || Array.isArray(r [k])))
                    keys.push(k);
            });
        });
        keys.sort(function (a, b) {
            return (LABELS [a] ? 0 : 1) - (LABELS [b] ? 0 : 1);
        });
        keys = keys.slice(0, 7);
        var thead = el('thead', null, [el('tr', null, keys.map(function (k) {
            return el('th', { scope: 'col', text: LABELS [k] || k });
        }))]);
        var tbody = el('tbody', null, rows.slice(0, 100).map(function (r) {
            return el('tr', null, keys.map(function (k) {
                var c = cell(k, r [k]);
                return el('td', null, [typeof c === 'string' ? c : c]);
            }));
        }));
        return el('div', { class: 'table-wrap' }, [el('table', { class: 'data' },
            [caption ? el('caption', { text: caption }) : null, thead, tbody])]);
    }

    function lightNode(light) {
        var l = String(light || '').toLowerCase();
        return el('span', { class: 'light-label' }, [
            el('span', { class: 'light ' + l, 'aria-hidden': 'true' }), LIGHTS [l] || l || '—'
        ]);
    }

    /* ---- coverage by city ----------------------------------------------------------------- */

    function coverageRows(body) {
        var rows = {}, total = { total: 0, notStarted: 0, inProgress: 0, active: 0, closed: 0 };
        (body.rows || []).forEach(function (r) {
            var row = {
                total: num(r.total), notStarted: num(r.notStarted), inProgress: num(r.inProgress),
                active: num(r.active), closed: num(r.closed)
            };
            rows [r.key] = row;
            Object.keys(total).forEach(function (k) { total [k] += row [k]; });
        });
        return { rows: rows, total: total };
    }

    function ratio(r) { return r && r.total ? (r.active + r.closed) / r.total : 0; }
    function pct(x) { return (Math.round(x * 1000) / 10).toFixed(1) + '%'; }

    function loadCoverage() {
        var tbody = $('coverage-table').querySelector('tbody');
        return api(url('coverage', null, { groupBy: 'city' })).then(function (body) {
            var c = coverageRows(body);
            clear(tbody);
            CITY_ORDER.forEach(function (code) {
                var r = c.rows [code] || { total: 0, notStarted: 0, inProgress: 0, active: 0, closed: 0 };
                var p = ratio(r);
                var bar = el('div', { class: 'bar', role: 'presentation' },
                             [el('span', { style: 'width:' + (p * 100).toFixed(1) + '%' })]);
                tbody.appendChild(el('tr', { 'data-city': code }, [
                    el('th', { scope: 'row' }, [el('a', { href: '#city=' + code, text: cityName(code) })]),
                    el('td', { text: String(r.total) }), el('td', { text: String(r.notStarted) }),
                    el('td', { text: String(r.inProgress) }), el('td', { text: String(r.active) }),
                    el('td', { text: String(r.closed) }),
                    el('td', { class: 'bar-col' }, [bar, el('span', { class: 'pct', text: pct(p) })])
                ]));
            });
            var t = c.total;
            clear($('coverage-summary')).appendChild(el('dl', { class: 'kpis' }, [
                kpi('全省企业', t.total + ' 家'), kpi('已覆盖', (t.active + t.closed) + ' 家'),
                kpi('推进中', t.inProgress + ' 家'), kpi('覆盖率', pct(ratio(t)))
            ]));
            drawMap(c.rows);
        }, function (err) {
            clear(tbody).appendChild(el('tr', null, [el('td', { colspan: '7', class: 'empty', text: '暂无数据' })]));
            drawMap({});
            showError(err);
        });
    }

    function kpi(label, value) {
        return el('div', null, [el('dt', { text: label }), el('dd', { text: value })]);
    }

    var SVGNS = 'http://www.w3.org/2000/svg';
    function svg(tag, attrs, text) {
        var n = document.createElementNS(SVGNS, tag);
        Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs [k]); });
        if (text !== undefined) n.textContent = text;
        return n;
    }

    /* A tile map: each city one rounded cell at its rough place, shaded by coverage. */
    function drawMap(rows) {
        var map = $('city-map');
        Array.prototype.slice.call(map.querySelectorAll('g')).forEach(function (g) { map.removeChild(g); });
        var g = svg('g', {});
        CITIES.forEach(function (city) {
            var r = rows [city.code], p = ratio(r);
            var x = 10 + city.x * 95, y = 8 + city.y * 53;
            var link = svg('a', { href: '#city=' + city.code, 'aria-label': city.name + ' 覆盖率 ' + pct(p) });
            var fill = r && r.total ? 'hsl(205, 70%, ' + Math.round(88 - p * 55) + '%)' : '#e4e7eb';
            link.appendChild(svg('rect', { x: x, y: y, width: 88, height: 48, rx: 6, fill: fill,
                                          stroke: '#fff', 'stroke-width': 2 }));
            var dark = p > 0.55;
            link.appendChild(svg('text', { x: x + 44, y: y + 21, 'text-anchor': 'middle',
                                          class: 'map-name' + (dark ? ' on-dark' : '') }, city.name));
            link.appendChild(svg('text', { x: x + 44, y: y + 39, 'text-anchor': 'middle',
                                          class: 'map-pct' + (dark ? ' on-dark' : '') },
                                 r && r.total ? pct(p) : '—'));
            g.appendChild(link);
        });
        map.appendChild(g);
    }

    /* ---- trend by month ------------------------------------------------------------------- */

    /* The last TREND_MONTHS dispatch months, oldest first ("2026-03"). */
    var TREND_MONTHS = 12;
    function recentMonths(n) {
        var d = new Date(Date.now() + 8 * 3600 * 1000), y = d.getUTCFullYear(), m = d.getUTCMonth() + 1, out = [];
        for (var i = 0; i < n; i++) {
            out.unshift(y + '-' + pad(m));
            if (--m === 0) { m = 12; y--; }
        }
        return out;
    }

    /* One point per month from the province row of that month's assessment. */
    function trendPoint(month, reply, current) {
        var p = reply && (reply.province || {});
        if (!p || !num(p.enterprises)) return null;
        /* a past month without a snapshot is answered with today's figures: not a point */
        if (reply.provisional && !current) return null;
        return { month: reply.month || month, total: num(p.enterprises), covered: num(p.innovating),
                 coverage: p.coverage !== undefined ? num(p.coverage) : num(p.innovating) / num(p.enterprises),
                 provisional: !!reply.provisional };
    }

    function renderTrend(pts) {
        var node = clear($('trend-body'));
        if (!pts.length) { empty(node); return; }
        var W = 360, H = 170, L = 36, B = 24, step = Math.min((W - L - 8) / Math.max(pts.length, 1), 48);
        var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', class: 'trend-chart',
                                 'aria-label': '各月覆盖率' });
        [0, 0.5, 1].forEach(function (v) {
            var y = H - B - v * (H - B - 10);
            chart.appendChild(svg('line', { x1: L, x2: W - 4, y1: y, y2: y, class: 'grid' }));
            chart.appendChild(svg('text', { x: L - 4, y: y + 4, 'text-anchor': 'end', class: 'axis' }, (v * 100) + '%'));
        });
        pts.forEach(function (p, i) {
            var h = p.coverage * (H - B - 10), x = L + i * step + step * 0.15;
            chart.appendChild(svg('rect', { x: x, y: H - B - h, width: step * 0.7, height: Math.max(h, 1), class: 'trend-bar' }));
            chart.appendChild(svg('text', { x: x + step * 0.35, y: H - 8, 'text-anchor': 'middle', class: 'axis' },
                                  p.month.slice(5) ? p.month.slice(5) + '月' : p.month));
        });
        node.appendChild(chart);
        var table = el('table', { class: 'data compact' }, [
            el('caption', { text: '各月覆盖情况' }),
            el('thead', null, [el('tr', null, [el('th', { scope: 'col', text: '月份' }),
                el('th', { scope: 'col', text: '已覆盖' }), el('th', { scope: 'col', text: '企业数' }),
                el('th', { scope: 'col', text: '覆盖率' })])]),
            el('tbody', null, pts.map(function (p) {
                return el('tr', null, [el('th', { scope: 'row', text: p.month + (p.provisional ? '（实时）' : '') }),
                    el('td', { text: String(p.covered) }), el('td', { text: String(p.total) }),
                    el('td', { text: pct(p.coverage) })]);
            }))
        ]);
        node.appendChild(el('details', null, [el('summary', { text: '查看数据表' }), table]));
    }

    function loadTrend() {
        var node = $('trend-body');
        if (offered('assessment') === false) { empty(node); return Promise.resolve(); }
        if (!serviceUp('assessment')) { empty(node, '服务未运行'); return Promise.resolve(); }
        var months = recentMonths(TREND_MONTHS), failures = [];
        clear(node).appendChild(el('p', { class: 'loading', text: '加载中…' }));
        function month(m, current) {
            return api(url('assessment', null, { month: m })).then(function (r) { return trendPoint(m, r, current); },
                function (err) { failures.push(err); return null; });
        }
        /* the current month first: when the service cannot answer it, the others are not asked */
        var current = months.pop();
        return month(current, true).then(function (last) {
            if (!last && failures.length && failures [0].status !== 404) return [null];
            return Promise.all(months.map(function (m) { return month(m, false); })).then(function (pts) { return pts.concat([last]); });
        }).then(function (pts) {
            pts = pts.filter(Boolean);
            /* one point per month; a provisional month only when it is the last */
            if (pts.length) { renderTrend(pts); return; }
            var e = failures [0];
            if (!e || [404, 405, 501].indexOf(e.status) >= 0) empty(node);
            else if (e.status >= 502 && e.status <= 504) empty(node, '服务未运行：' + (e.reason || STATUS_TEXT [e.status]));
            else clear(node).appendChild(el('p', { class: 'inline-error', text: '加载失败：' + e.message }));
        });
    }

    /* ---- overdue groups and their lights (notify) ----------------------------------------- */

    function lightFor(dueMs, stateName) {
        if (stateName && stateName !== 'open') return null;
        var left = num(dueMs) - Date.now();
        return left <= 0 ? 'red' : left <= 3 * 86400000 ? 'yellow' : 'green';
    }

    /* One row per deadline: its latest notice (or the deadline itself), worst light first. */
    function overdueRows(body, fromDeadlines) {
        var byDeadline = {};
        firstList(body).forEach(function (n) {
            if (fromDeadlines) {
                var light = lightFor(n.dueMs, n.state || 'open');
                if (!light) return;
                byDeadline [n.id] = { agency: n.agency, title: n.title, dueMs: n.dueMs, light: light,
                                      kind: light === 'red' ? 'overdue' : 'reminder' };
                return;
            }
            if (!n.deadline || !n.light) return;
            var prev = byDeadline [n.deadline];
            if (!prev || num(n.createdMs) > num(prev.createdMs))
                byDeadline [n.deadline] = { agency: n.responsible || n.recipient, title: n.title,
                                            dueMs: n.dueMs, light: n.light, kind: n.kind,
                                            createdMs: n.createdMs };
        });
        return Object.keys(byDeadline).map(function (k) { return byDeadline [k]; })
            .sort(function (a, b) {
                return (LIGHT_RANK [a.light] - LIGHT_RANK [b.light]) || (num(a.dueMs) - num(b.dueMs));
            });
    }

    /* "2026年12月台账月报：已逾期，截止时间 …" -> what is due, before the last
       full-width colon (notify's own part follows it); the whole title stays in the
       cell's tooltip. */
    function shortTitle(t) {
        t = String(t || '—');
        var i = t.lastIndexOf('：');
        return i > 0 ? t.slice(0, i) : t;
    }

    function renderOverdue(node, body, fromDeadlines) {
        clear(node);
        var rows = overdueRows(body, fromDeadlines);
        if (!rows.length) { empty(node, '没有待办的截止事项'); return; }
        var counts = { red: 0, yellow: 0, green: 0 };
        rows.forEach(function (r) { counts [r.light] = (counts [r.light] || 0) + 1; });
        node.appendChild(el('p', { class: 'light-counts' }, ['red', 'yellow', 'green'].map(function (l) {
            return el('span', { class: 'count-' + l }, [lightNode(l), ' ' + counts [l] + ' 项 ']);
        })));
        node.appendChild(el('div', { class: 'table-wrap' }, [el('table', { class: 'data compact', id: 'overdue-table' }, [
            el('caption', { text: '按责任单位' }),
            el('thead', null, [el('tr', null, ['灯', '责任单位', '事项', '截止时间', '最新'].map(function (h) {
                return el('th', { scope: 'col', text: h });
            }))]),
            el('tbody', null, rows.slice(0, 60).map(function (r) {
                return el('tr', { class: 'row-' + r.light }, [
                    el('td', null, [lightNode(r.light)]),
                    el('th', { scope: 'row', text: principalName(r.agency) }),
                    el('td', { text: shortTitle(r.title), title: r.title || '' }),
                    el('td', { text: cst(r.dueMs) }),
                    el('td', { text: KINDS [r.kind] || r.kind || '—' })
                ]);
            }))
        ])]));
    }

    /* The month's ledger reports (report service): which groups have not reported. */
    var REPORT_STATE = { submitted: '按时报送', late: '逾期报送', missing: '未报送', pending: '未到期' };
    function reportLight(row, dueMs) {
        if (row.state === 'submitted') return 'green';
        if (row.state === 'late') return 'yellow';
        if (row.state === 'missing') return 'red';
        return lightFor(dueMs, 'open');
    }

    function renderReportStatus(reply, node) {
        var rows = reply.rows || [];
        if (!rows.length) return;
        var order = { missing: 0, pending: 1, late: 2, submitted: 3 };
        rows = rows.slice().sort(function (a, b) { return (order [a.state] || 0) - (order [b.state] || 0); });
        var box = el('div', { class: 'report-status', id: 'report-status' }, [
            el('h3', { text: (reply.month || '本月') + ' 台账报送（截止 ' + cst(reply.dueMs, false) + '）' }),
            el('p', { class: 'light-counts', text: '按时 ' + num(reply.submitted) + ' · 逾期报送 ' + num(reply.late) +
                      ' · 未报送 ' + num(reply.missing) + ' · 未到期 ' + num(reply.pending) }),
            el('ul', { class: 'group-lights' }, rows.filter(function (r) { return r.state !== 'submitted'; }).slice(0, 40).map(function (r) {
                return el('li', { class: 'row-' + reportLight(r, reply.dueMs) }, [
                    lightNode(reportLight(r, reply.dueMs)), ' ', r.name || principalName(r.agency),
                    el('span', { class: 'meta', text: ' ' + (REPORT_STATE [r.state] || r.state) })
                ]);
            }))
        ]);
        node.appendChild(box);
    }

    /* The inboxes to read: the caller's own; the province reads every group's as well. */
    function inboxes() {
        if (me !== 'province') return [''];
        var list = [''];
        CITY_ORDER.forEach(function (c) { list.push('city:' + c); });
        Object.keys(DEPARTMENTS).forEach(function (d) { list.push('dept:' + d); });
        return list;
    }

    function loadOverdue() {
        var node = $('overdue-body'), notices = el('div'), reports = el('div');
        clear(node).appendChild(notices);
        node.appendChild(reports);
        var p;
        if (offered('deadlines'))
            p = optional('deadlines', null, { state: 'open' }, notices, function (b) { renderOverdue(notices, b, true); });
        else {
            var others = inboxes().slice(1);
            p = optional('notices', null, { limit: 500 }, notices, function () { /* rendered below */ })
                .then(function (own) {
                    if (!own) return;
                    /* other groups' inboxes (the province may read them); a refusal is skipped */
                    return Promise.all(others.map(function (agency) {
                        return api(url('notices', null, { agency: agency, limit: 200 }))
                            .then(function (r) { return r.notices || []; }, function () { return []; });
                    })).then(function (lists) {
                        var all = (own.notices || []).slice();
                        lists.forEach(function (l) { all = all.concat(l); });
                        renderOverdue(notices, { notices: all }, false);
                    });
                });
        }
        if (offered('reportStatus') !== true || !serviceUp('reportStatus')) return p;
        var q = api(url('reportStatus')).then(function (r) { renderReportStatus(r, reports); }, function () { /* shown by the notices */ });
        return Promise.all([p, q]);
    }

    /* ---- search --------------------------------------------------------------------------- */

    var CODE_RE = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;

    function runSearch(more) {
        var node = $('search-results');
        var q = state.q.trim(), city = state.city;
        if (!more) { searchCursor = ''; clear(node); }
        if (!q && !city) { clear(node).appendChild(el('p', { class: 'hint', text: '输入企业名称的一部分（至少两个字）或选择城市。' })); return Promise.resolve(); }
        if (q && CODE_RE.test(q.toUpperCase())) {
            setState({ detail: q.toUpperCase() });
            return Promise.resolve();
        }
        var req = q ? api(url('search', null, { fragment: q, limit: 50, cursor: searchCursor }))
                    : api(url('enterprises', null, { city: city, limit: 50, cursor: searchCursor }));
        var old = node.querySelector('.more');
        if (old) old.parentNode.removeChild(old);
        return req.then(function (body) {
            var list = (body.enterprises || firstList(body));
            if (q && city) {
                list = list.filter(function (e) { return e.city === city; });
                body = { total: list.length, nextCursor: body.nextCursor };
            }
            renderResults(node, list, body, more);
        }, function (err) {
            clear(node).appendChild(el('p', { class: 'empty', text: '查询失败' }));
            showError(err);
        });
    }

    function renderResults(node, list, body, more) {
        var table = node.querySelector('table');
        if (!more || !table) {
            clear(node);
            var total = body.total !== undefined ? num(body.total) : list.length;
            node.appendChild(el('p', { class: 'result-count', id: 'result-count',
                                       text: '共 ' + (total || list.length) + ' 家企业' }));
            if (!list.length) { empty(node, '没有符合条件的企业'); return; }
            table = el('table', { class: 'data', id: 'results-table' }, [
                el('caption', { text: '查询结果' }),
                el('thead', null, [el('tr', null, ['企业名称', '统一社会信用代码', '所在市', '行业', '状态'].map(function (h) {
                    return el('th', { scope: 'col', text: h });
                }))]),
                el('tbody')
            ]);
            node.appendChild(el('div', { class: 'table-wrap' }, [table]));
        }
        var tbody = table.querySelector('tbody');
        list.forEach(function (e) {
            tbody.appendChild(el('tr', { 'data-code': e.creditCode }, [
                el('th', { scope: 'row' }, [el('a', { href: '#detail=' + encodeURIComponent(e.creditCode),
                    class: 'ent-link', text: e.name || e.creditCode,
                    onclick: function (ev) { ev.preventDefault(); setState({ detail: e.creditCode }); } })]),
                el('td', { class: 'mono', text: e.creditCode || '' }),
                el('td', { text: cityName(e.city) }),
                el('td', { text: e.industry || '—' }),
                el('td', null, [statusBadge(e.status, e.closing)])
            ]));
        });
        searchCursor = body.nextCursor || '';
        if (searchCursor)
            node.appendChild(el('button', { type: 'button', class: 'more', text: '加载更多',
                                            onclick: function () { runSearch(true); } }));
    }

    /* ---- enterprise detail ---------------------------------------------------------------- */

    function field(label, value) {
        return el('div', null, [el('dt', { text: label }),
            el('dd', null, [typeof value === 'string' || typeof value === 'number' ? String(value) : value])]);
    }

    function money(v) { return v === undefined ? '—' : num(v).toLocaleString('zh-CN') + ' 万元'; }

    function loadDetail(code) {
        var section = $('detail'), body = $('detail-body');
        if (!code) { section.hidden = true; clear(body); return Promise.resolve(); }
        section.hidden = false;
        clear(body).appendChild(el('p', { class: 'loading', text: '加载中…' }));
        return api(url('enterprise', { creditCode: code })).then(function (reply) {
            var e = reply.enterprise || reply;
            clear(body);
            $('detail-title').textContent = '企业详情：' + (e.name || code);
            body.appendChild(el('div', { class: 'detail-head' }, [
                el('p', { class: 'ent-name', id: 'detail-name', text: e.name || '' }),
                el('p', { id: 'detail-status' }, [statusBadge(e.status, e.closing)]),
                el('button', { type: 'button', class: 'close-detail', text: '关闭详情',
                               onclick: function () { setState({ detail: '' }); } })
            ]));
            var revenue = num(e.operatingRevenue), rd = num(e.rdExpenditure);
            body.appendChild(el('dl', { class: 'fields' }, [
                field('统一社会信用代码', el('span', { class: 'mono', text: e.creditCode || code })),
                field('所在地', cityName(e.city) + ' · ' + (agencyNames [e.county] || e.county || '—')),
                field('行业代码', e.industry || '—'),
                field('主管部门', DEPARTMENTS [e.department] || e.department || '—'),
                field('产业集群', e.cluster || '—'),
                field('营业收入', money(e.operatingRevenue)),
                field('研发费用', money(e.rdExpenditure)),
                field('研发投入强度', revenue ? pct(rd / revenue) : '—'),
                field('研发机构', e.hasRdInstitution ? '有' : '无'),
                field('研发活动', e.hasRdActivity ? '有' : '无'),
                field('版本', String(e.version || '—')),
                field('更新', cst(e.updatedMs) + ' · ' + principalName(e.updatedBy))
            ]));
            if (e.closing)
                body.appendChild(el('p', { class: 'closing' }, ['销号申请待审核：' + (e.closing.evidence || '') +
                    (e.closing.evidenceFile ? '（' + e.closing.evidenceFile + '）' : '') + '，' +
                    principalName(e.closing.requestedBy) + ' 于 ' + cst(e.closing.requestedMs)]));
            var parts = [
                { id: 'history', title: '状态历史', load: loadHistory },
                { id: 'pairings', title: '结对帮扶', load: generic('pairings', '结对帮扶') },
                { id: 'projects', title: '项目', load: generic('projects', '项目') },
                { id: 'problems', title: '问题清单', load: generic('problems', '问题') }
            ];
            var grid = el('div', { class: 'detail-grid' });
            body.appendChild(grid);
            return Promise.all(parts.map(function (p) {
                var box = el('div', { class: 'sub-body', id: 'detail-' + p.id + '-body' });
                grid.appendChild(el('section', { class: 'sub', id: 'detail-' + p.id, 'aria-labelledby': 'detail-' + p.id + '-title' },
                    [el('h3', { id: 'detail-' + p.id + '-title', text: p.title }), box]));
                return p.load(code, box, e);
            }));
        }, function (err) {
            clear(body).appendChild(el('p', { class: 'empty', text: err.status === 404 ? '未找到该企业：' + code : '无法加载企业详情' }));
            showError(err);
        });
    }

    function loadHistory(code, box) {
        return optional('history', { creditCode: code }, null, box, function (reply) {
            var changes = reply.changes || firstList(reply);
            if (!changes.length) { empty(box); return; }
            clear(box).appendChild(el('div', { class: 'table-wrap' }, [el('table', { class: 'data compact' }, [
                el('caption', { class: 'sr-only', text: '状态历史' }),
                el('thead', null, [el('tr', null, ['时间', '操作', '由', '至', '办理', '原因/印证材料'].map(function (h) {
                    return el('th', { scope: 'col', text: h });
                }))]),
                el('tbody', null, changes.slice().reverse().map(function (c) {
                    var why = [c.reason, c.evidence, c.evidenceFile].filter(Boolean).join('；');
                    return el('tr', null, [
                        el('td', { text: cst(c.timeMs) }),
                        el('td', { text: ACTIONS [c.action] || c.action || '—' }),
                        el('td', { text: STATUS [statusName(c.from)] || '—' }),
                        el('td', { text: STATUS [statusName(c.to)] || '—' }),
                        el('td', { text: principalName(c.actor) }),
                        el('td', { text: why || '—' })
                    ]);
                }))
            ])]));
        });
    }

    /* Columns of the sections whose records the page knows (pairing.proto, catalogue.proto,
       problems.proto); anything else falls back to a table of the record's own fields. */
    var PAIRING_STATE = { active: '进行中', ended: '已结束' };
    var PROJECT_STATE = { applied: '已申报', under_review: '评审中', selected: '已入选', fund_pool: '入库',
                          recommended: '已推荐', rejected: '未入选' };
    var PROJECT_KIND = { MAJOR_TRANSFORMATION: '重大技术改造', KEY_INNOVATION: '重点技术创新' };
    var PROBLEM_STATE = { raised: '已提出', assigned: '已交办', accepted: '已受理', in_progress: '办理中',
                          resolved: '已解决', closed: '已销号' };
    var PROBLEM_CATEGORY = { funding: '资金', talent: '人才', technology: '技术', land: '用地', approval: '审批',
                             market: '市场', policy: '政策', other: '其他' };
    function mapper(table) { return function (v) { return table [v] || v || '—'; }; }
    /* The rung of the 13710 ladder the problem waits on: assignment, first progress, solution. */
    function problemDue(p) {
        if (p.state === 'resolved' || p.state === 'closed') return 0;
        if (!num(p.assignedMs)) return num(p.assignDueMs);
        if (!num(p.progressedMs) && num(p.progressDueMs)) return num(p.progressDueMs);
        return num(p.planMs) || num(p.solveDueMs);
    }
    function problemLight(p) {
        var due = problemDue(p);
        return due ? lightNode(lightFor(due, 'open')) : '—';
    }
    function milestones(p) {
        var m = p.milestones || [];
        return m.length ? m.filter(function (x) { return x.done; }).length + ' / ' + m.length : '—';
    }
    var SECTIONS = {
        pairings: {
            query: function (code) { return { enterprise: code }; },
            match: function (r, code) { return !r.enterprise || r.enterprise === code; },
            columns: [
                ['状态', function (r) { return PAIRING_STATE [r.state || 'active'] || r.state; }],
                ['帮扶企业', function (r) { return r.mentor || '待匹配'; }],
                ['主管部门', function (r) { return DEPARTMENTS [r.department] || r.department || '—'; }],
                ['开始', function (r) { return cst(r.startMs, false); }],
                ['结束', function (r) { return r.endMs ? cst(r.endMs, false) : '—'; }],
                ['匹配说明', function (r) { return r.explanation || '—'; }]
            ]
        },
        projects: {
            query: function (code) { return { creditCode: code }; },
            match: function (r, code) { return !r.creditCode || r.creditCode === code; },
            columns: [
                ['编号', function (r) { return r.id || '—'; }],
                ['项目名称', function (r) { return r.name || '—'; }],
                ['类别', function (r) { return PROJECT_KIND [r.kind] || r.kind || '—'; }],
                ['状态', function (r) { return mapper(PROJECT_STATE)(r.state); }],
                ['经费(万元)', function (r) { return r.budget !== undefined ? String(num(r.budget)) : '—'; }],
                ['里程碑', milestones]
            ]
        },
        problems: {
            query: function (code, e) { return { scope: e && e.city ? 'city:' + e.city : '', limit: 1000 }; },
            match: function (r, code) { return !r.enterprise || r.enterprise === code; },
            columns: [
                ['灯', problemLight],
                ['编号', function (r) { return r.id || '—'; }],
                ['类别', function (r) { return mapper(PROBLEM_CATEGORY)(r.category); }],
                ['问题描述', function (r) { return r.description || '—'; }],
                ['状态', function (r) { return mapper(PROBLEM_STATE)(r.state); }],
                ['承办', function (r) { return r.handler ? principalName(r.handler) : '待交办'; }],
                ['下一期限', function (r) { return problemDue(r) ? cst(problemDue(r)) : '—'; }]
            ]
        }
    };

    function columnsTable(rows, columns, caption) {
        return el('div', { class: 'table-wrap' }, [el('table', { class: 'data compact' }, [
            el('caption', { class: 'sr-only', text: caption }),
            el('thead', null, [el('tr', null, columns.map(function (c) {
                return el('th', { scope: 'col', text: c [0] });
            }))]),
            el('tbody', null, rows.slice(0, 100).map(function (r) {
                return el('tr', null, columns.map(function (c) {
                    var v = c [1](r);
                    return el('td', null, [typeof v === 'string' ? v : v]);
                }));
            }))
        ])]);
    }

    function generic(name, caption) {
        return function (code, box, e) {
            var spec = SECTIONS [name];
            return optional(name, null, spec ? spec.query(code, e) : { enterprise: code }, box, function (reply) {
                var rows = firstList(reply);
                if (spec) rows = rows.filter(function (r) { return spec.match(r, code); });
                if (!rows.length) { empty(box); return; }
                clear(box).appendChild(spec ? columnsTable(rows, spec.columns, caption) : genericTable(rows, caption));
            });
        };
    }

    /* ---- the latest bulletin -------------------------------------------------------------- */

    /* A small, safe reading of the bulletin's markdown: headings, lists, pipe tables and
       paragraphs, every text through textContent. */
    function inline(text) { return text.replace(/\*\*([^*]+)\*\*/g, '$1').replace(/`([^`]+)`/g, '$1'); }

    function markdown(text, node) {
        var lines = String(text).replace(/\r/g, '').split('\n'), i = 0, para = [];
        function flush() {
            if (para.length) node.appendChild(el('p', { class: 'bulletin-text', text: inline(para.join('')) }));
            para = [];
        }
        while (i < lines.length) {
            var line = lines [i], m;
            if (!line.trim()) { flush(); i++; continue; }
            if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
                flush();
                node.appendChild(el(m [1].length <= 2 ? 'h3' : 'h4', { class: 'md-h', text: inline(m [2]) }));
                i++; continue;
            }
            if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
                flush();
                var ordered = /^\s*\d/.test(line), list = el(ordered ? 'ol' : 'ul', { class: 'md-list' });
                while (i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines [i])) {
                    list.appendChild(el('li', { text: inline(lines [i].replace(/^\s*([-*+]|\d+[.)])\s+/, '')) }));
                    i++;
                }
                node.appendChild(list); continue;
            }
            if (/^\s*\|/.test(line)) {
                flush();
                var rows = [];
                while (i < lines.length && /^\s*\|/.test(lines [i])) {
                    if (!/^\s*\|[\s:|-]+\|?\s*$/.test(lines [i]))
                        rows.push(lines [i].trim().replace(/^\||\|$/g, '').split('|').map(function (c) { return inline(c.trim()); }));
                    i++;
                }
                if (rows.length) {
                    var head = rows.shift();
                    node.appendChild(el('div', { class: 'table-wrap' }, [el('table', { class: 'data compact' }, [
                        el('thead', null, [el('tr', null, head.map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
                        el('tbody', null, rows.map(function (r) {
                            return el('tr', null, r.map(function (c) { return el('td', { text: c }); }));
                        }))
                    ])]));
                }
                continue;
            }
            if (/^>\s?/.test(line)) line = line.replace(/^>\s?/, '');
            para.push(line.trim());
            i++;
        }
        flush();
    }

    function renderBulletin(reply) {
        var node = clear($('bulletin-body'));
        var b = reply.bulletin || reply.document || reply;
        var text = b.content || b.text || b.markdown || b.body || '';
        if (!b.title && !text) { empty(node); return; }
        node.appendChild(el('h3', { class: 'bulletin-title', id: 'bulletin-heading', text: b.title || '简报' }));
        var when = b.generatedMs || b.createdMs;
        if (when) node.appendChild(el('p', { class: 'meta', text: '生成于 ' + cst(when) }));
        var box = el('div', { class: 'bulletin-content' });
        node.appendChild(box);
        if (/html/.test(b.mediaType || b.format || '')) {
            /* shown as text: the page never inserts HTML it did not make */
            text = new DOMParser().parseFromString(text, 'text/html').body.textContent || '';
        }
        markdown(text, box);
        var first = box.firstChild;
        if (first && first.className === 'md-h' && first.textContent === (b.title || '')) box.removeChild(first);
    }

    function loadBulletin() {
        return optional('bulletin', null, { format: 'markdown' }, $('bulletin-body'), renderBulletin);
    }

    /* ---- live updates --------------------------------------------------------------------- */

    function setLive(text, cls) {
        var s = $('live-state');
        s.textContent = text;
        s.className = 'live-state ' + (cls || '');
    }

    var EVENT_LABELS = {
        'enterprise.created': '新增企业', 'enterprise.updated': '企业信息更新',
        'enterprise.status_changed': '状态变更', 'enterprise.close_requested': '申请销号',
        'enterprise.closed': '销号', 'enterprise.close_rejected': '销号退回',
        'notice.created': '新通知', 'notice.acknowledged': '通知已读',
        'deadline.opened': '截止事项开始', 'deadline.cleared': '截止事项完成',
        'report.submitted': '报送月报', 'report.snapshot_taken': '月度快照',
        'pairing.created': '建立结对', 'pairing.ended': '结对结束',
        'problem.raised': '提出问题', 'problem.resolved': '问题解决', 'problem.closed': '问题销号',
        'project.applied': '项目申报', 'project.selected': '项目入选', 'milestone.reported': '里程碑报告',
        'agency.created': '新增单位', 'agency.updated': '单位更新', 'agency.seeded': '单位初始化',
        'token.created': '新建令牌', 'token.revoked': '吊销令牌',
        'group.created': '成立工作组', 'group.updated': '工作组更新', 'group.ready': '工作组就绪',
        'group.assigned': '分配企业', 'group.unassigned': '取消分配', 'pairing.updated': '结对更新',
        'guidance.linked': '建立指导关系', 'guidance.unlinked': '解除指导关系',
        'problem.assigned': '问题交办', 'problem.accepted': '问题受理', 'problem.progressed': '问题进展',
        'problem.planned': '问题计划', 'project.under_review': '项目评审', 'project.rejected': '项目未入选',
        'project.fund_pool': '项目入库', 'project.recommended': '项目推荐',
        'tech.added': '新增技术', 'tech.amended': '技术修订', 'tech.withdrawn': '技术撤回',
        'tech.published': '技术目录发布', 'demo.added': '新增示范', 'demo.updated': '示范更新',
        'policy.added': '新增政策', 'policy.updated': '政策更新', 'support.added': '新增支持',
        'subscription.created': '新建订阅', 'subscription.removed': '取消订阅',
        'notice.delivered': '通知已送达', 'notice.delivery_failed': '通知送达失败',
        'deadline.announced': '新截止事项'
    };

    function onEvent(type, data) {
        var ev = {};
        try { ev = JSON.parse(data); } catch (e) { ev = {}; }
        var list = $('live-list');
        var t = ev.type || type || 'message';
        var payload = ev.payload && typeof ev.payload === 'object' ? ev.payload : {};
        var what = payload.name || payload.title || payload.enterpriseName || '';
        list.insertBefore(el('li', { 'data-type': t, 'data-seq': String(ev.seq || '') }, [
            el('time', { text: cst(ev.timeMs || Date.now()).slice(5) }), ' ',
            el('span', { class: 'ev-type', title: t, text: EVENT_LABELS [t] || t }), ' ',
            what ? what + ' ' : '',
            el('span', { class: 'mono', text: ev.subject || '' }),
            ev.actor ? ' · ' + principalName(ev.actor) : ''
        ]), list.firstChild);
        while (list.children.length > 20) list.removeChild(list.lastChild);
        scheduleRefresh(t, ev.subject);
    }

    /* Coalesce bursts of events into one refresh a second later. */
    var pending = {};
    function scheduleRefresh(type, subject) {
        if (/^enterprise\./.test(type)) { pending.coverage = true; if (subject && subject === state.detail) pending.detail = true; }
        if (/^(notice|deadline|report)\./.test(type)) { pending.overdue = true; }
        if (/^report\./.test(type)) { pending.bulletin = true; pending.trend = true; }
        if (refreshTimer) return;
        refreshTimer = setTimeout(function () {
            refreshTimer = null;
            var p = pending; pending = {};
            if (p.coverage) loadCoverage();
            if (p.detail) loadDetail(state.detail);
            if (p.overdue) loadOverdue();
            if (p.bulletin) loadBulletin();
            if (p.trend) loadTrend();
        }, 1000);
    }

    function startLive() {
        stopLive();
        if (!token()) { setLive('未连接'); return; }
        if (liveOption === '0') { setLive('已关闭'); return; }
        if (typeof EventSource === 'undefined' || offered('events') === false) { startPolling(); return; }
        var limit = /^[1-9][0-9]*$/.test(liveOption) ? Number(liveOption) : 0;
        liveCount = 0;
        /* a replay for checks: the enterprise events from the start of the record */
        var src = url('events', null, limit ? { topic: 'enterprise.', lastEventId: '0' } : null);
        src += (src.indexOf('?') < 0 ? '?' : '&') + STREAM_TOKEN_PARAM + '=' + encodeURIComponent(token());
        var es, opened = false;
        try { es = new EventSource(src); } catch (e) { startPolling(); return; }
        eventSource = es;
        setLive('连接中…');
        es.onopen = function () { opened = true; setLive('实时', 'on'); };
        function take(type, m) {
            onEvent(type, m.data);
            if (limit && ++liveCount >= limit) {
                es.close(); eventSource = null;
                setLive('已接收 ' + liveCount + ' 条，已断开');
            }
        }
        es.onmessage = function (m) { take(null, m); };
        /* the stream names each event by its type: listen to every type the page knows */
        Object.keys(EVENT_LABELS).forEach(function (t) {
            es.addEventListener(t, function (m) { take(t, m); });
        });
        es.onerror = function () {
            /* EventSource retries by itself after a dropped connection; one that never
               opened (refused, 401) is given up for polling. */
            if (!opened || es.readyState === 2) { es.close(); eventSource = null; startPolling(); }
            else setLive('重连中…');
        };
    }

    function startPolling() {
        setLive('轮询（每 30 秒）', 'poll');
        if (pollTimer) clearInterval(pollTimer);
        pollTimer = setInterval(function () {
            loadRunning().then(function () { loadCoverage(); loadOverdue(); });
        }, POLL_MS);
    }

    function stopLive() {
        if (eventSource) { eventSource.close(); eventSource = null; }
        if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    }

    /* ---- wiring --------------------------------------------------------------------------- */

    function loadOpenapi() {
        return fetch(ROUTES.openapi, { cache: 'no-store' }).then(function (res) {
            if (!res.ok) return;
            return res.json().then(function (doc) {
                if (doc && doc.paths) openapiPaths = new Set(Object.keys(doc.paths));
            });
        }).catch(function () { openapiPaths = null; });
    }

    /* Which services have workers, from the gateway's Prometheus text (no token needed). */
    function loadRunning() {
        return fetch(ROUTES.metrics, { cache: 'no-store' }).then(function (res) {
            if (!res.ok) { running = null; return; }
            return res.text().then(function (text) {
                var set = new Set(), re = /^innov_broker_workers\{service="([^"]+)"\}\s+([0-9.e+]+)/gm, m;
                while ((m = re.exec(text))) if (Number(m [2]) > 0) set.add(m [1]);
                running = set.size ? set : null;
            });
        }).catch(function () { running = null; });
    }

    function loadAgencies() {
        if (!offered('agencies')) return Promise.resolve();
        return api(url('agencies', null, { kind: 'COUNTY', limit: 1000 })).then(function (reply) {
            (reply.agencies || []).forEach(function (a) { agencyNames [a.code] = a.shortName || a.name; });
        }, function () { /* names stay codes */ });
    }

    /* The token's principal: the token of the tokens route whose prefix is ours. */
    function loadWho() {
        if (offered('tokens') === false) return Promise.resolve();
        return api(url('tokens')).then(function (reply) {
            /* the prefix is the secret's first characters after its "inv_" marker */
            var t = token(), bare = t.replace(/^[a-z]+_/, '');
            (reply.tokens || []).forEach(function (k) {
                if (k.prefix && (bare.indexOf(k.prefix) === 0 || t.indexOf(k.prefix) === 0)) me = k.principal || '';
            });
            if (me) $('who').textContent = '已登录：' + principalName(me);
        }, function () { /* stays "已登录" */ });
    }

    function setState(change) {
        Object.keys(change).forEach(function (k) { state [k] = change [k]; });
        writeHash(state);
        applyState(change);
    }

    function applyState(changed) {
        $('q').value = state.q;
        $('city-filter').value = state.city;
        var p = [];
        if (!changed || 'q' in changed || 'city' in changed) p.push(runSearch(false));
        if (!changed || 'detail' in changed) {
            p.push(loadDetail(state.detail).then(function () {
                if (changed && state.detail) $('detail').scrollIntoView({ block: 'start' });
            }));
        }
        return Promise.all(p);
    }

    function loadAll() {
        hideError();
        if (!token()) {
            $('who').textContent = '未登录';
            $('token').focus();
            showError({ message: '请输入访问令牌后登录（令牌由 innovctl token create 生成）' });
            drawMap({});
            var tbody = $('coverage-table').querySelector('tbody');
            clear(tbody).appendChild(el('tr', null, [el('td', { colspan: '7', class: 'empty', text: '登录后显示' })]));
            ['trend-body', 'overdue-body', 'bulletin-body', 'search-results'].forEach(function (id) {
                clear($(id)).appendChild(el('p', { class: 'empty', text: '登录后显示' }));
            });
            return;
        }
        me = '';
        $('who').textContent = '已登录';
        $('logout').hidden = false;
        $('as-of').textContent = '更新于 ' + cst(Date.now());
        Promise.all([loadAgencies(), loadWho(), loadRunning()]).then(function () {
            loadCoverage();
            loadTrend();
            loadOverdue();
            loadBulletin();
            applyState(null);
            startLive();
        });
    }

    function init() {
        CITY_ORDER.forEach(function (code) {
            $('city-filter').appendChild(el('option', { value: code, text: cityName(code) }));
        });
        var h = readHash();
        if (h.token) setToken(h.token);
        state.q = h.q || '';
        state.city = h.city || '';
        state.detail = h.detail || '';
        liveOption = h.live || '';
        writeHash(state);   /* the token leaves the address bar */

        $('login').addEventListener('submit', function (ev) {
            ev.preventDefault();
            var t = $('token').value.trim();
            if (!t) { showError({ message: '请输入访问令牌' }); return; }
            setToken(t);
            $('token').value = '';
            loadAll();
        });
        $('logout').addEventListener('click', function () {
            setToken('');
            stopLive();
            $('logout').hidden = true;
            location.reload();
        });
        $('error-close').addEventListener('click', hideError);
        $('search-form').addEventListener('submit', function (ev) {
            ev.preventDefault();
            setState({ q: $('q').value.trim(), city: $('city-filter').value });
        });
        window.addEventListener('hashchange', function () {
            var n = readHash(), change = {};
            if (n.token) { setToken(n.token); }
            ['q', 'city', 'detail'].forEach(function (k) {
                if ((n [k] || '') !== state [k]) change [k] = n [k] || '';
            });
            if (n.token) {
                Object.keys(change).forEach(function (k) { state [k] = change [k]; });
                writeHash(state);
                loadAll();
                return;
            }
            if (Object.keys(change).length) setState(change);
        });
        loadOpenapi().then(loadAll);
    }

    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
    else init();
})();
