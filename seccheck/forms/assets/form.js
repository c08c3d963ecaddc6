/* The offline form's behaviour: walk the compiled applies_if trees, validate with the engine's
   messages, score in integers (BigInt at the ruleset's common scale), keep every answer in local
   storage, save and load the answers file with its HMAC-SM3 mac. Plain JavaScript: no eval, no
   Function, no parser of expressions, every text inserted with textContent. */
"use strict";
(function () {
  var D = SeccheckDigest;
  var logic = JSON.parse(document.getElementById("seccheck-logic").textContent);
  var meta = JSON.parse(document.getElementById("seccheck-meta").textContent);
  var SCALE = BigInt(logic.scale);
  var LIMITS = logic.limits;  // seccheck.limits: the same bounds as the engine's
  var STORE = "seccheck-form:" + meta.number;
  var evidence = {};  // check id -> [{name, sha256}]
  var lastState = null;

  /* --- exact decimals: "12.340" -> {i: 1234n, s: 2} ------------------------------------------- */
  var DEC = /^-?\d+(\.\d+)?$/;
  function dec(text) {
    var neg = text.charAt(0) === "-", body = neg ? text.slice(1) : text;
    var parts = body.split("."), frac = (parts[1] || "").replace(/0+$/, "");
    var i = BigInt(parts[0] + frac);
    return { i: neg ? -i : i, s: frac.length };
  }
  function dcmp(a, b) {
    var x = a.i * 10n ** BigInt(Math.max(0, b.s - a.s)), y = b.i * 10n ** BigInt(Math.max(0, a.s - b.s));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  function canonDec(text) { // as seccheck's canonical_decimal: 1.50 -> 1.5, -0 -> 0
    var d = dec(text), neg = d.i < 0n, digits = (neg ? -d.i : d.i).toString();
    if (d.s > 0) {
      while (digits.length <= d.s) digits = "0" + digits;
      digits = digits.slice(0, digits.length - d.s) + "." + digits.slice(digits.length - d.s);
    }
    return (neg && d.i !== 0n ? "-" : "") + digits;
  }
  function scaled(text) { // a point value at SCALE, or null when it has more places than SCALE allows
    var d = dec(text), f = 10n ** BigInt(d.s), v = d.i * SCALE;
    return v % f === 0n ? v / f : null;
  }
  function show(v) { // an integer at SCALE as a decimal string, like seccheck's fmt
    var neg = v < 0n, a = neg ? -v : v, q = a / SCALE, r = (a % SCALE).toString();
    var places = SCALE.toString().length - 1;
    while (r.length < places) r = "0" + r;
    r = r.replace(/0+$/, "");
    return (neg ? "-" : "") + q.toString() + (r ? "." + r : "");
  }

  /* --- reading the answers from the page -------------------------------------------------------- */
  function box(id) { return document.querySelector('[data-check="' + CSS.escape(id) + '"]'); }
  function named(name) { return document.getElementsByName(name); }
  function radioValue(name) {
    var list = named(name);
    for (var i = 0; i < list.length; i++) if (list[i].type === "radio" && list[i].checked) return list[i].value;
    return null;
  }
  function fieldValue(name) {
    var list = named(name);
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (el.type === "radio") return radioValue(name);
      if (el.type === "checkbox") return el.checked ? el.value : null;
      if (el.type !== "file") return el.value === "" ? null : el.value;
    }
    return null;
  }

  /* A raw answer -> {ok, typed (for the walker), value (for the file), message}. */
  function readAnswer(q, raw) {
    if (raw === null || raw === undefined) return null;
    if (raw === "na") return { na: true };
    var kind = q.kind, rules = q.rules;
    function bad(rule) { return { bad: (rules[rule] || rules.kind || "").replace("{given}", JSON.stringify(raw)) }; }
    if (kind === "yesno") {
      if (raw !== "true" && raw !== "false") return bad("kind");
      return { t: "b", v: raw === "true" };
    }
    if (kind === "count") {
      var c = raw.trim();
      if (!/^\d+$/.test(c) || BigInt(c) > BigInt(LIMITS.count_max)) return { bad: rules.kind.replace("{given}", raw) };
      return { t: "n", v: canonDec(c), integer: true };
    }
    if (kind === "number") {
      var n = raw.trim();
      if (!DEC.test(n) || (n.split(".")[1] || "").length > LIMITS.number_places ||
          dcmp(dec(n), dec(LIMITS.number_max)) >= 0 || dcmp(dec(n), dec("-" + LIMITS.number_max)) <= 0) {
        return { bad: rules.kind.replace("{given}", raw) };
      }
      var cn = canonDec(n);
      if (rules.integer && cn.indexOf(".") >= 0) return { bad: rules.integer.replace("{given}", cn) };
      if (rules.min && dcmp(dec(cn), dec(q.min)) < 0) return { bad: rules.min.replace("{given}", cn) };
      if (rules.max && dcmp(dec(cn), dec(q.max)) > 0) return { bad: rules.max.replace("{given}", cn) };
      return { t: "n", v: cn };
    }
    if (kind === "choice") {
      for (var i = 0; i < q.options.length; i++) if (q.options[i].value === raw) return { t: "s", v: raw };
      return { bad: rules.kind.replace("{given}", JSON.stringify(raw)) };
    }
    if (kind === "date") {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return { bad: rules.kind.replace("{given}", JSON.stringify(raw)) };
      return { t: "d", v: raw };
    }
    return { t: "s", v: raw };
  }

  /* --- the applies_if walker (as seccheck.ruleset.expr.compile_expr) --------------------------- */
  var ABSENT = { t: "absent" };
  function operand(node, values) {
    if (node.op === "name") return Object.prototype.hasOwnProperty.call(values, node.id) ? values[node.id] : ABSENT;
    if (node.op === "bool") return { t: "b", v: node.v };
    if (node.op === "num") return { t: "n", v: node.v };
    if (node.op === "str") return { t: "s", v: node.v };
    return { t: "b", v: walk(node, values) };
  }
  function truthy(x) {
    if (x.t === "absent") return false;
    if (x.t === "b") return x.v;
    if (x.t === "n") return dec(x.v).i !== 0n;
    if (x.t === "s") return x.v.length > 0;
    return true;
  }
  function cpCompare(a, b) { // strings by code point, as Python compares them
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var p = x[i].codePointAt(0), q = y[i].codePointAt(0);
      if (p !== q) return p < q ? -1 : 1;
    }
    return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
  }
  function compare(op, a, b) {
    if (a.t === "absent" || b.t === "absent" || a.t !== b.t) return false;
    var c;
    if (a.t === "n") c = dcmp(dec(a.v), dec(b.v));
    else if (a.t === "s") c = cpCompare(a.v, b.v);
    else if (a.t === "b") { if (op !== "==" && op !== "!=") c = (a.v ? 1 : 0) - (b.v ? 1 : 0); else c = a.v === b.v ? 0 : 1; }
    else c = a.v === b.v ? 0 : cpCompare(a.v, b.v);
    return op === "==" ? c === 0 : op === "!=" ? c !== 0 : op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
  }
  function walk(node, values) {
    switch (node.op) {
      case "name": case "bool": case "num": case "str": return truthy(operand(node, values));
      case "not": return !walk(node.a, values);
      case "and": return node.args.every(function (a) { return walk(a, values); });
      case "or": return node.args.some(function (a) { return walk(a, values); });
      default: return compare(node.op, operand(node.l, values), operand(node.r, values));
    }
  }

  /* --- compliance, deduction, score (as seccheck.domain.scoring) ------------------------------- */
  function compliant(chk, a) {
    if (chk.kind === "yesno") return a.v === chk.expect;
    if (chk.kind === "count") return dcmp(dec(a.v), dec(chk.max_ok === null ? "0" : chk.max_ok)) <= 0;
    if (chk.kind === "choice") return chk.option_ok[a.v] !== false;
    if (chk.kind === "number") {
      if (chk.min_ok !== null && dcmp(dec(a.v), dec(chk.min_ok)) < 0) return false;
      return !(chk.max_ok !== null && dcmp(dec(a.v), dec(chk.max_ok)) > 0);
    }
    return true;
  }

  function state() {
    var values = {}, answers = {}, problems = {}, order = [], applicable = {}, itemNa = {};
    var total = 0, answered = 0, unanswered = [];
    function take(q) {
      var raw = fieldValue(q.id), a = readAnswer(q, raw);
      if (a && a.bad) { problems[q.id] = [a.bad]; return null; }
      return a;
    }
    logic.profile.forEach(function (p) {
      var a = take(p);
      total += 1;
      if (a && !a.na) { values[p.id] = a; answers[p.id] = a; answered += 1; }
      else if (!problems[p.id]) unanswered.push(p.id);
    });
    var catOk = {}, deduction = logic.method === "deduction";
    var applicableTotal = 0n, earned = 0n, aggravated = 0n, vetoes = [], findings = 0, critical = 0;
    var itemResults = {};
    logic.items.forEach(function (item) {
      if (!(item.category in catOk)) {
        var cond = logic.categories[item.category];
        catOk[item.category] = cond ? walk(cond, values) : true;
      }
      var ok = catOk[item.category];
      if (ok && item.applies_if && !walk(item.applies_if, values)) ok = false;
      var shorthand = item.checks.length === 1 && item.checks[0].id === item.id;
      var naRaw = item.allow_na ? fieldValue(item.id) : null;
      if (ok && naRaw === "na") { ok = false; itemNa[item.id] = true; answers[item.id] = { na: true }; }
      applicable[item.id] = ok;
      var sum = 0n, counts = deduction && item.scored;
      item.checks.forEach(function (chk) {
        var cok = ok && !(chk.applies_if && !walk(chk.applies_if, values));
        applicable[chk.id] = cok;
        if (!cok) return;
        total += 1;
        var a = take(chk);
        if (!a || a.na) { if (!problems[chk.id]) unanswered.push(chk.id); return; }
        answered += 1;
        values[chk.id] = a; answers[chk.id] = a;
        if (compliant(chk, a)) return;
        findings += 1;
        if (chk.severity === "critical") critical += 1;
        if (chk.veto) vetoes.push(chk.id);
        if (!counts) return;
        var d = chk.deduct, amount = 0n;
        if (d.type === "per") {
          amount = BigInt(d.per) * BigInt(a.v);
          if (d.cap !== null && amount > BigInt(d.cap)) amount = BigInt(d.cap);
        } else if (d.type === "choice") {
          amount = BigInt(chk.option_deduct[a.v] || "0");
        } else if (d.type === "range") {
          amount = BigInt(d.hi);
          var raw = fieldValue(chk.id + ".deduct");
          if (raw === null) problems[chk.id] = [chk.rules.deduct_missing];
          else {
            var v = DEC.test(raw.trim()) ? scaled(raw.trim()) : null;
            var lo = BigInt(d.lo), hi = BigInt(d.hi), step = BigInt(d.step);
            if (v === null || v < lo || v > hi || (v - lo) % step !== 0n) problems[chk.id] = [chk.rules.deduct_range.replace("{given}", raw)];
            else { amount = v; a.deduct = canonDec(raw.trim()); }
          }
        } else amount = BigInt(d.amount);
        sum += amount;
      });
      if (!ok) { itemResults[item.id] = null; return; }
      if (item.aggravating) { aggravated += sum; itemResults[item.id] = sum; return; }
      var points = BigInt(item.points), cut = sum < points ? sum : points;
      applicableTotal += points; earned += points - cut;
      itemResults[item.id] = cut;
    });
    logic.plausibility.forEach(function (rule) {
      if (walk(rule.when, values)) rule.checks.forEach(function (id) { (problems[id] = problems[id] || []).push(rule.message); });
    });
    var percent = null, grade, raw = null;
    if (deduction) {
      raw = earned - aggravated; if (raw < 0n) raw = 0n;
      var grades = logic.grades, i;
      if (logic.normalize && applicableTotal > 0n) {
        percent = (2000n * raw + applicableTotal) / (2n * applicableTotal); // tenths, half-up
        for (i = 0; i < grades.length; i++) if (100n * SCALE * raw >= BigInt(grades[i].min) * applicableTotal) break;
      } else if (!logic.normalize) {
        percent = (2n * raw * 10n + SCALE) / (2n * SCALE);
        for (i = 0; i < grades.length; i++) if (raw >= BigInt(grades[i].min)) break;
      }
      if (percent !== null) grade = grades[Math.min(i, grades.length - 1)].label;
    }
    if (percent === null) {
      var g = logic.grades;
      grade = findings === 0 ? g[0].label : critical ? g[g.length - 1].label : g[1].label;
    }
    if (vetoes.length) grade = logic.veto_grade;
    return {
      values: values, answers: answers, problems: problems, applicable: applicable, itemNa: itemNa,
      total: total, answered: answered, unanswered: unanswered, items: itemResults,
      applicableTotal: applicableTotal, earned: earned, aggravated: aggravated, raw: raw,
      percent: percent === null ? "" : (percent / 10n).toString() + "." + (percent % 10n).toString(),
      grade: grade, findings: findings
    };
  }

  /* --- showing the state ------------------------------------------------------------------------ */
  function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }
  function refresh() {
    var s = state();
    lastState = s;
    document.querySelectorAll("[data-check]").forEach(function (el) {
      var id = el.getAttribute("data-check"), item = el.getAttribute("data-item-of");
      var shown = el.hasAttribute("data-profile") ? true : s.applicable[id] !== false;
      if (item && s.itemNa[item]) shown = false;
      if (s.itemNa[id]) shown = true;  // a one-check item answered 不适用 keeps its answer visible
      if (el.hidden === shown) el.hidden = !shown;
      var msg = el.querySelector(".problem");
      setText(msg, (s.problems[id] || []).join("；"));
      var ded = el.querySelector(".deduct-row");
      if (ded) {
        var a = s.answers[id], chk = findCheck(id);
        var need = !!(a && !a.na && chk && !compliant(chk, a));
        if (ded.hidden === need) ded.hidden = !need;
      }
    });
    document.querySelectorAll("[data-item]").forEach(function (el) {
      var id = el.getAttribute("data-item"), r = s.items[id];
      el.setAttribute("data-applicable", s.applicable[id] === false ? "false" : "true");
      el.setAttribute("data-deduction", r === null || r === undefined ? "" : show(r));
      var badge = el.querySelector(".item-score");
      if (badge) setText(badge, s.applicable[id] === false ? "（不适用）" : r ? "扣" + show(r) + "分" : "");
      var all = el.querySelectorAll("[data-check]"), any = false;
      all.forEach(function (c) { if (!c.hidden) any = true; });
      var hide = !any && !el.querySelector("[data-item-na]");
      if (el.hidden !== hide) el.hidden = hide;
    });
    var r = document.querySelector("[data-result]");
    r.setAttribute("data-percent", s.percent);
    r.setAttribute("data-grade", s.grade);
    r.setAttribute("data-answered", String(s.answered));
    r.setAttribute("data-total", String(s.total));
    r.setAttribute("data-applicable-points", s.raw === null ? "" : show(s.applicableTotal));
    r.setAttribute("data-earned", s.raw === null ? "" : show(s.earned));
    r.setAttribute("data-aggravated", s.raw === null ? "" : show(s.aggravated));
    setText(document.getElementById("r-answered"), s.answered + " / " + s.total);
    var started = s.answered > 0;  // an empty form shows no score rather than 100%
    setText(document.getElementById("r-percent"), s.percent === "" || !started ? "—" : s.percent + "%");
    setText(document.getElementById("r-grade"), started ? s.grade : "—");
    setText(document.getElementById("r-missing"), s.unanswered.length ? "未答：" + s.unanswered.map(label).join("、") : "已全部作答");
    document.querySelectorAll("[data-print]").forEach(function (el) {
      setText(el, (document.getElementsByName(el.getAttribute("data-print"))[0] || {}).value || "");
    });
    document.querySelectorAll("[data-note-of]").forEach(function (el) {
      var n = note(el.getAttribute("data-note-of"));
      setText(el, n ? "说明：" + n : "");
    });
    var count = Object.keys(s.problems).length;
    setText(document.getElementById("r-problems"), count ? "有 " + count + " 处需要更正（见各题红字）" : "");
    return s;
  }
  var checksById = {};
  logic.items.forEach(function (item) { item.checks.forEach(function (c) { checksById[c.id] = c; }); });
  function findCheck(id) { return checksById[id] || null; }
  function label(id) { var el = box(id); return el ? (el.getAttribute("data-label") || id) : id; }

  /* --- local storage ---------------------------------------------------------------------------- */
  function snapshot() {
    var data = { fields: {}, evidence: evidence, signoff: signoff() };
    document.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.type === "file" || el.closest("[data-signoff]") || el.name.indexOf("load") === 0) return;
      if (el.type === "radio") { if (el.checked) data.fields[el.name] = el.value; }
      else if (el.type === "checkbox") { if (el.checked) data.fields[el.name] = el.value; }
      else if (el.value !== "") data.fields[el.name] = el.value;
    });
    return data;
  }
  function restore(data) {
    document.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.type === "file" || el.closest("[data-signoff]")) return;
      var v = data.fields[el.name];
      if (el.type === "radio" || el.type === "checkbox") el.checked = v !== undefined && el.value === v;
      else el.value = v === undefined ? "" : v;
    });
    evidence = data.evidence || {};
    var so = data.signoff || {};
    document.getElementsByName("filled_by")[0].value = so.filled_by || "";
    document.getElementsByName("reviewed_by")[0].value = so.reviewed_by || "";
    Object.keys(checksById).forEach(showEvidence);
  }
  function keep() {
    try { localStorage.setItem(STORE, JSON.stringify(snapshot())); } catch (e) { /* storage full or off */ }
  }
  function signoff() {
    return {
      filled_by: document.getElementsByName("filled_by")[0].value.trim(),
      reviewed_by: document.getElementsByName("reviewed_by")[0].value.trim()
    };
  }

  /* --- evidence ---------------------------------------------------------------------------------- */
  function showEvidence(id) {
    var list = document.getElementById("ev-" + id);
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    (evidence[id] || []).forEach(function (f) {
      var li = document.createElement("li");
      li.textContent = f.name + "　SHA-256 " + f.sha256;
      list.appendChild(li);
    });
  }
  function readEvidence(input) {
    var id = input.name.slice(0, -".evidence".length), files = Array.from(input.files || []);
    var done = 0, out = [];
    if (!files.length) return;
    files.forEach(function (file, n) {
      var reader = new FileReader();
      reader.onload = function () {
        out[n] = { name: file.name, sha256: D.hex(D.sha256(new Uint8Array(reader.result))) };
        if (++done === files.length) { evidence[id] = out; showEvidence(id); keep(); refresh(); }
      };
      reader.readAsArrayBuffer(file);
    });
  }

  /* --- the answers file ------------------------------------------------------------------------- */
  function tomlString(s) {
    var out = '"';
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i), code = s.charCodeAt(i);
      if (c === '"') out += '\\"';
      else if (c === "\\") out += "\\\\";
      else if (c === "\n") out += "\\n";
      else if (c === "\t") out += "\\t";
      else if (c === "\r") out += "\\r";
      else if (code < 32 || code === 127) out += "\\u" + ("000" + code.toString(16)).slice(-4);
      else out += c;
    }
    return out + '"';
  }
  function canonJson(v) { // as seccheck.domain.seal.canonical: sorted keys, no spaces
    if (v === null || typeof v !== "object") return JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(canonJson).join(",") + "]";
    return "{" + Object.keys(v).sort(cpCompare).map(function (k) { return JSON.stringify(k) + ":" + canonJson(v[k]); }).join(",") + "}";
  }
  function canonValue(a) {
    if (a.t === "b" || a.t === "s") return a.v;
    if (a.t === "n") return { decimal: canonDec(a.v) };
    return { date: a.v };
  }
  function tomlValue(a) {
    if (a.t === "b") return a.v ? "true" : "false";
    if (a.t === "n") return canonDec(a.v);
    if (a.t === "d") return a.v;
    return tomlString(a.v);
  }
  function today() {
    var d = new Date(), m = d.getMonth() + 1, day = d.getDate();
    return d.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (day < 10 ? "0" : "") + day;
  }
  function note(id) { var v = fieldValue(id + ".note"); return v === null || v.trim() === "" ? null : v; }

  /* The answers file's text and whether it is final; `now` fixes the export time (tests). */
  function answersFile(final, now) {
    var s = refresh(), so = signoff(), date = today(), exported = now || new Date().toISOString();
    var status = final ? "final" : "draft";
    var lines = [], canon = {}, files = [];
    Object.keys(s.answers).forEach(function (id) {
      var a = s.answers[id], ev = (evidence[id] || []);
      var c = { value: a.na ? null : canonValue(a), na: !!a.na, deduct: a.deduct || null, note: note(id),
                evidence: ev.map(function (f) { return f.name; }) };
      canon[id] = c;
      ev.forEach(function (f) { files.push([f.name, f.sha256]); });
      var parts = [];
      if (a.na) parts.push('value = "na"'); else parts.push("value = " + tomlValue(a));
      if (c.deduct) parts.push("deduct = " + c.deduct);
      if (c.note) parts.push("note = " + tomlString(c.note));
      if (c.evidence.length) parts.push("evidence = [" + c.evidence.map(tomlString).join(", ") + "]");
      lines.push(tomlString(id) + " = " + (parts.length === 1 ? parts[0].slice("value = ".length) : "{ " + parts.join(", ") + " }"));
    });
    var body = {
      form: meta.number, ruleset: meta.ruleset, ruleset_version: meta.version, ruleset_sha256: meta.sha256,
      unit: meta.unit, date: { date: date }, mode: "self", status: status, filled_by: so.filled_by,
      reviewed_by: so.reviewed_by, exported: exported, evidence: files, answers: canon
    };
    // A form issued per department or per person signs whom it is for (as seccheck's mac_body).
    if (meta.department) body.department = meta.department;
    if (meta.person) body.person = meta.person;
    var mac = D.hex(D.hmacSm3(D.fromHex(meta.key), D.utf8(canonJson(body))));
    var text = [
      "# 保密自查自评答案文件：由离线表单 " + meta.number.replace(/[\r\n]/g, " ") + " 生成。请勿手工修改，否则导入时核验不通过。",
      "format = 1",
      "ruleset = " + tomlString(meta.ruleset),
      "ruleset_version = " + tomlString(meta.version),
      "unit = " + tomlString(meta.unit)
    ].concat(meta.department ? ["department = " + tomlString(meta.department)] : [],
             meta.person ? ["person = " + tomlString(meta.person)] : [], [
      "date = " + date,
      'mode = "self"',
      "",
      "[answers]"
    ], lines, [
      "",
      "[form]",
      "number = " + tomlString(meta.number),
      "ruleset_sha256 = " + tomlString(meta.sha256),
      "exported = " + tomlString(exported),
      "status = " + tomlString(status),
      "filled_by = " + tomlString(so.filled_by),
      "reviewed_by = " + tomlString(so.reviewed_by),
      "evidence = [" + files.map(function (f) { return "{ name = " + tomlString(f[0]) + ", sha256 = " + tomlString(f[1]) + " }"; }).join(", ") + "]",
      "mac = " + tomlString(mac),
      ""
    ]).join("\n");
    return { text: text, mac: mac, status: status };
  }

  function download(name, text) {
    var a = document.createElement("a");
    a.href = "data:application/toml;charset=utf-8," + encodeURIComponent(text);
    a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }

  function save(final) {
    var s = refresh(), msg = document.getElementById("save-message");
    var problems = Object.keys(s.problems).length;
    if (final) {
      var so = signoff();
      if (s.unanswered.length || problems) {
        setText(msg, "尚有未答或需更正的问题，只能保存为草稿；请答完、改正后再保存定稿。");
        return null;
      }
      if (!so.filled_by || !so.reviewed_by) {
        setText(msg, "定稿前请填写填表人和" + (meta.department ? "内设机构" : "单位") + "负责人（审核人）。");
        document.getElementsByName(so.filled_by ? "reviewed_by" : "filled_by")[0].focus();
        return null;
      }
    }
    var file = answersFile(final);
    var name = meta.unit_file + "-" + (final ? "答案" : "草稿") + ".toml";
    download(name, file.text);
    document.getElementById("r-code").textContent = file.mac.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, "$1-");
    setText(msg, (final ? "已保存定稿答案文件 " : "已保存草稿 ") + name + (final ? "；请连同证明材料报送。" : "；可随时继续填写。"));
    return file;
  }

  /* --- loading a saved answers file back (a small reader for the TOML this form writes) -------- */
  function parseTomlValue(text) {
    text = text.trim();
    if (text === "true" || text === "false") return text;
    if (text.charAt(0) === '"') return JSON.parse(text.replace(/\\u007f/g, "\\u007F"));
    return text;
  }
  function splitTop(text) { // split an inline table or array body at top-level commas
    var out = [], depth = 0, cur = "", inStr = false;
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (inStr) { cur += c; if (c === "\\") { cur += text.charAt(++i); } else if (c === '"') inStr = false; continue; }
      if (c === '"') inStr = true;
      if (c === "[" || c === "{") depth++;
      if (c === "]" || c === "}") depth--;
      if (c === "," && depth === 0) { out.push(cur); cur = ""; } else cur += c;
    }
    if (cur.trim()) out.push(cur);
    return out;
  }
  function keyValue(line) {
    var m = /^("(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!m) return null;
    return [m[1].charAt(0) === '"' ? JSON.parse(m[1]) : m[1], m[2]];
  }
  function load(text) {
    var section = "", fields = {}, ev = {}, so = {}, head = {};
    text.split(/\r?\n/).forEach(function (line) {
      line = line.trim();
      if (!line || line.charAt(0) === "#") return;
      if (line.charAt(0) === "[") { section = line.replace(/[\[\]\s]/g, ""); return; }
      var kv = keyValue(line);
      if (!kv) return;
      if (section === "") head[kv[0]] = parseTomlValue(kv[1]);
      else if (section === "form") { if (kv[0] === "filled_by" || kv[0] === "reviewed_by" || kv[0] === "number") so[kv[0]] = parseTomlValue(kv[1]); if (kv[0] === "evidence") so.evidence = kv[1]; }
      else if (section === "answers") {
        var id = kv[0], v = kv[1].trim();
        if (v.charAt(0) === "{") {
          splitTop(v.slice(1, -1)).forEach(function (part) {
            var p = keyValue(part.trim());
            if (!p) return;
            if (p[0] === "value") fields[id] = parseTomlValue(p[1]);
            else if (p[0] === "deduct") fields[id + ".deduct"] = p[1].trim();
            else if (p[0] === "note") fields[id + ".note"] = parseTomlValue(p[1]);
            else if (p[0] === "evidence") ev[id] = splitTop(p[1].trim().slice(1, -1)).map(function (n) { return parseTomlValue(n); });
          });
        } else fields[id] = parseTomlValue(v);
      }
    });
    var msg = document.getElementById("save-message");
    if (so.number !== meta.number || head.unit !== meta.unit ||
        (head.department || "") !== (meta.department || "") || (head.person || "") !== (meta.person || "")) {
      setText(msg, "这个答案文件不是本表单（表单编号 " + meta.number + "）保存的，未载入；请选择本单位本表单保存的答案文件。");
      return false;
    }
    var hashes = {};
    if (so.evidence) splitTop(so.evidence.trim().slice(1, -1)).forEach(function (t) {
      var name = null, sha = null;
      splitTop(t.trim().slice(1, -1)).forEach(function (p) { var kv = keyValue(p.trim()); if (kv && kv[0] === "name") name = parseTomlValue(kv[1]); if (kv && kv[0] === "sha256") sha = parseTomlValue(kv[1]); });
      if (name !== null) hashes[name] = sha;
    });
    var evidenceOut = {};
    Object.keys(ev).forEach(function (id) { evidenceOut[id] = ev[id].map(function (n) { return { name: n, sha256: hashes[n] || "" }; }); });
    // Item-level 不适用 of several checks is a checkbox named the item id.
    restore({ fields: fields, evidence: evidenceOut, signoff: { filled_by: so.filled_by, reviewed_by: so.reviewed_by } });
    keep();
    refresh();
    setText(msg, "已载入答案文件，可继续填写。");
    return true;
  }

  /* --- wiring ----------------------------------------------------------------------------------- */
  var saved = null;
  try { saved = localStorage.getItem(STORE); } catch (e) { saved = null; }
  if (saved) { try { restore(JSON.parse(saved)); } catch (e) { /* a damaged copy: start empty */ } }
  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t.type === "file") return;
    refresh(); keep();
  });
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t.type === "file" && t.name.slice(-9) === ".evidence") { readEvidence(t); return; }
    if (t.matches("[data-action=load]")) {
      var f = t.files && t.files[0];
      if (!f) return;
      var reader = new FileReader();
      reader.onload = function () { load(String(reader.result)); t.value = ""; };
      reader.readAsText(f, "utf-8");
      return;
    }
    if (t.type !== "file") { refresh(); keep(); }
  });
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest ? ev.target.closest("[data-action]") : null;
    if (!t) return;
    var action = t.getAttribute("data-action");
    if (action === "save") save(true);
    else if (action === "save-draft") save(false);
    else if (action === "print") window.print();
    else if (action === "clear") {
      if (window.confirm("清空本表单的全部答案？此操作不能撤销。")) {
        try { localStorage.removeItem(STORE); } catch (e) { /* ignore */ }
        restore({ fields: {}, evidence: {}, signoff: {} }); refresh();
      }
    }
  });
  window.seccheckForm = { refresh: refresh, answersFile: answersFile, load: load, state: function () { return lastState; }, digest: D, canonJson: canonJson };
  refresh();
  document.documentElement.setAttribute("data-ready", "true");
})();
