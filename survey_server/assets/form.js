/* Skip logic in the browser for the survey form (survey_server/form_page.hpp).
 *
 * Reads the questionnaire's logic from <script type="application/json"
 * id="sipas-logic"> (form_logic_to_json in questionnaires/expression_json.hpp),
 * evaluates every item's and section's `relevant` expression with the
 * semantics of questionnaires/expression.cpp, hides what does not apply
 * (the hidden attribute) and disables its inputs so they are not submitted,
 * and does it again after every change. The server validates everything
 * again: this only spares the respondent questions that do not concern them.
 *
 * Like the validator, it does not judge a condition that reads an invalid
 * answer (a word in a number box, a date out of range): the items that depend
 * on it stay shown. A regex() cannot be matched exactly as RE2 would (its
 * pattern is not sent), so an expression that needs one is treated the same
 * way. Without this script the form still works: every item is shown, and the
 * server drops the answers to items that do not apply.
 *
 * window.sipasForm exposes evaluate() and refresh() for tests. No framework,
 * no network. */
(function () {
  "use strict";

  // ---------------------------------------------------------------- values

  // A value is {k: "empty"} | {k: "num", v} | {k: "str", v} | {k: "bool", v}
  // | {k: "sel", v: [code strings]}, as Value in questionnaires/value.hpp.
  var EMPTY = { k: "empty" };
  function num(v) { return { k: "num", v: v }; }
  function str(v) { return { k: "str", v: v }; }
  function bool(v) { return { k: "bool", v: v }; }

  // Thrown where the server's answer cannot be known (regex(), a value that
  // depends on an invalid answer).
  function Unknown() {}

  function truthy(a) {
    switch (a.k) {
      case "num": return a.v !== 0 && !isNaN(a.v);
      case "str": return a.v !== "";
      case "bool": return a.v;
      case "sel": return a.v.length > 0;
      default: return false;
    }
  }

  // std::from_chars (general format) on the whole string, finite only.
  var NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  function readNumber(s) {
    if (!NUMBER.test(s)) return null;
    var n = Number(s);
    return isFinite(n) ? n : null;
  }

  function asNumber(a) {
    if (a.k === "num") return a.v;
    if (a.k === "bool") return a.v ? 1 : 0;
    if (a.k === "str") return readNumber(a.v);
    return null;
  }

  // Byte order of UTF-8 is code point order.
  function compareStrings(x, y) {
    var a = Array.from(x), b = Array.from(y);
    for (var i = 0; i < a.length && i < b.length; i++) {
      var ca = a[i].codePointAt(0), cb = b[i].codePointAt(0);
      if (ca !== cb) return ca < cb ? -1 : 1;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }

  function sign(x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }

  // null when the values cannot be ordered.
  function compare(a, b) {
    if (a.k === "empty" || b.k === "empty") return null;
    if (a.k === "bool" || b.k === "bool") {
      return sign((truthy(a) ? 1 : 0) - (truthy(b) ? 1 : 0));
    }
    if (a.k === "num" || b.k === "num") {
      var x = asNumber(a), y = asNumber(b);
      if (x === null || y === null || isNaN(x) || isNaN(y)) return null;
      return sign(x - y);
    }
    if (a.k === "str" && b.k === "str") return compareStrings(a.v, b.v);
    return null;
  }

  function equal(a, b) {
    if (a.k === "empty" || b.k === "empty") {
      var other = a.k === "empty" ? b : a;
      return other.k === "empty" || (other.k === "str" && other.v === "");
    }
    if (a.k === "str" && b.k === "str") return a.v === b.v;
    return compare(a, b) === 0;
  }

  function arithmetic(op, a, b) {
    var x = asNumber(a), y = asNumber(b);
    if (x === null || y === null) return EMPTY;
    var r;
    switch (op) {
      case "add": r = x + y; break;
      case "sub": r = x - y; break;
      case "mul": r = x * y; break;
      case "div": if (y === 0) return EMPTY; r = x / y; break;
      case "mod": if (y === 0) return EMPTY; r = x % y; break; // fmod
    }
    return isFinite(r) ? num(r) : EMPTY;
  }

  // The text std::to_chars(double) writes for n, for string-length: the
  // shortest digits that read back as n, in fixed or scientific notation
  // (printf's %f or %e form, exponent of at least two digits), whichever is
  // shorter, fixed on a tie.
  function numberText(n) {
    if (n === 0) return Object.is(n, -0) ? "-0" : "0";
    var sign = n < 0 ? "-" : "";
    var m = /^(\d)(?:\.(\d+))?e([-+]\d+)$/.exec(Math.abs(n).toExponential());
    var digits = m[1] + (m[2] || ""), exponent = Number(m[3]);
    var scientific = m[1] + (m[2] ? "." + m[2] : "") + "e" + (exponent < 0 ? "-" : "+") +
        (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    var fixed;
    if (exponent < 0) {
      fixed = "0." + "0".repeat(-exponent - 1) + digits;
    } else if (digits.length <= exponent + 1) {
      fixed = digits + "0".repeat(exponent + 1 - digits.length);
    } else {
      fixed = digits.slice(0, exponent + 1) + "." + digits.slice(exponent + 1);
    }
    return sign + (scientific.length < fixed.length ? scientific : fixed);
  }

  // ---------------------------------------------------------------- expressions

  // Evaluates a tree of form_logic_to_json. `values(id)` gives an item's value.
  function evaluate(node, values) {
    var args = node.args || [];
    function arg(i) { return evaluate(args[i], values); }
    switch (node.op) {
      case "number": return num(node.value);
      case "string": return str(node.value);
      case "ref": return values(node.item);
      case "true": return bool(true);
      case "false": return bool(false);
      case "or": return bool(truthy(arg(0)) || truthy(arg(1)));
      case "and": return bool(truthy(arg(0)) && truthy(arg(1)));
      case "not": return bool(!truthy(arg(0)));
      case "eq": return bool(equal(arg(0), arg(1)));
      case "ne": return bool(!equal(arg(0), arg(1)));
      case "lt": case "le": case "gt": case "ge": {
        var c = compare(arg(0), arg(1));
        if (c === null) return bool(false);
        return bool(node.op === "lt" ? c < 0 : node.op === "le" ? c <= 0
                    : node.op === "gt" ? c > 0 : c >= 0);
      }
      case "add": case "sub": case "mul": case "div": case "mod":
        return arithmetic(node.op, arg(0), arg(1));
      case "neg": {
        var x = asNumber(arg(0));
        return x === null ? EMPTY : num(-x);
      }
      case "if": return truthy(arg(0)) ? arg(1) : arg(2);
      case "selected": {
        var s = arg(0);
        return bool(s.k === "sel" && s.v.indexOf(String(node.code)) >= 0);
      }
      case "selected-value": {
        var a = arg(0);
        return bool(equal(a, arg(1)) && a.k !== "empty");
      }
      case "count-selected": {
        var v = arg(0);
        if (v.k === "sel") return num(v.v.length);
        return num(v.k === "empty" ? 0 : 1);
      }
      case "string-length": {
        var t = arg(0);
        if (t.k === "str") return num(Array.from(t.v).length);
        if (t.k === "num") return num(numberText(t.v).length);
        return num(0);
      }
      case "coalesce": {
        var first = arg(0);
        if (first.k !== "empty" && !(first.k === "str" && first.v === "")) return first;
        return arg(1);
      }
      case "int": {
        var i = asNumber(arg(0));
        return i !== null && isFinite(i) ? num(Math.trunc(i)) : EMPTY;
      }
      case "abs": {
        var b = asNumber(arg(0));
        return b === null ? EMPTY : num(Math.abs(b));
      }
      case "round": {
        var y = asNumber(arg(0)), digits = asNumber(arg(1));
        if (y === null || digits === null || digits < -15 || digits > 15) return EMPTY;
        var scale = Math.pow(10, Math.trunc(digits));
        if (!isFinite(y * scale)) return num(y);
        return num(Math.floor(y * scale + 0.5) / scale); // halves up, as XPath
      }
      default:
        throw new Unknown(); // regex, self, or an op this script does not know
    }
  }

  // ---------------------------------------------------------------- the page

  var form, logic, items = {}, sections = {};

  var INTEGER = /^-?\d+$/;
  var DECIMAL = /^-?\d+(\.\d+)?$/;
  var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

  function trim(s) { return s.replace(/^[ \t]+|[ \t]+$/g, ""); }

  function realDate(s) {
    var m = DATE.exec(s);
    if (!m) return false;
    var y = +m[1], mo = +m[2], d = +m[3];
    if (y < 1000 || mo < 1 || mo > 12 || d < 1) return false;
    var days = new Date(Date.UTC(y, mo, 0)).getUTCDate(); // last day of the month
    return d <= days;
  }

  function typedCode(item, text) {
    var codes = item.codes || [];
    for (var i = 0; i < codes.length; i++) {
      if (String(codes[i]) === text) {
        return typeof codes[i] === "number" ? num(codes[i]) : str(codes[i]);
      }
    }
    return null;
  }

  // The raw values of an item's inputs: checked choices, or the text typed.
  function rawValues(item) {
    if (item.preload) {
      var p = document.querySelector('[data-preload="' + item.id + '"]');
      var v = p ? p.getAttribute("data-value") || "" : "";
      return v === "" ? [] : [v];
    }
    var inputs = item.inputs;
    var out = [];
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) out.push(input.value);
      } else if (input.value !== "") {
        out.push(input.value);
      }
    }
    return out;
  }

  // The value the validator would give the item's answer, EMPTY when there is
  // none, or null when the answer is invalid.
  function answerValue(item) {
    var raw = rawValues(item);
    if (raw.length === 0) return EMPTY;
    var t = item.type;
    if (t === "multiple") {
      var chosen = [];
      for (var i = 0; i < raw.length; i++) {
        var c = trim(raw[i]);
        if (c === "") continue;
        if (!typedCode(item, c) || chosen.indexOf(c) >= 0) return null;
        chosen.push(c);
      }
      if (chosen.length === 0) return EMPTY;
      if (chosen.length < (item.min_selections || 0)) return null;
      if (item.max_selections !== undefined && chosen.length > item.max_selections) return null;
      return { k: "sel", v: chosen };
    }
    if (raw.length > 1) return null;
    var text = raw[0];
    switch (t) {
      case "single": case "likert": {
        var s = trim(text);
        return s === "" ? EMPTY : typedCode(item, s);
      }
      case "rating": case "integer": case "decimal": {
        var n = trim(text);
        if (n === "") return EMPTY;
        if (!DECIMAL.test(n)) return null;
        var x = Number(n);
        if (t !== "decimal" && !Number.isInteger(x)) return null;
        if (item.min !== undefined && x < item.min) return null;
        if (item.max !== undefined && x > item.max) return null;
        return num(x);
      }
      case "date": {
        var d = trim(text);
        if (d === "") return EMPTY;
        if (!realDate(d)) return null;
        if (item.min !== undefined && d < item.min) return null;
        if (item.max !== undefined && d > item.max) return null;
        return str(d);
      }
      case "text": case "long_text":
        if (item.max_length !== undefined && Array.from(text).length > item.max_length) return null;
        return str(text);
      default:
        return EMPTY;
    }
  }

  function setDisabled(element, disabled) {
    if (element.tagName === "FIELDSET") {
      element.disabled = disabled;
      return;
    }
    var inputs = element.querySelectorAll("input, textarea, select, button");
    for (var i = 0; i < inputs.length; i++) inputs[i].disabled = disabled;
  }

  function show(element, visible) {
    if (!element) return;
    if (element.hidden === !visible) return;
    element.hidden = !visible;
    setDisabled(element, !visible);
  }

  // One pass in evaluation order, as Validator::validate does it.
  function refresh() {
    var values = {}, tainted = {}, itemState = {}, sectionState = {};
    function value(id) { return values[id] || EMPTY; }
    function holds(expression) {
      try {
        return truthy(evaluate(expression, value));
      } catch (e) {
        if (e instanceof Unknown) return null;
        throw e;
      }
    }
    function sectionRelevant(id) {
      if (!(id in sectionState)) {
        var s = sections[id];
        sectionState[id] = !s || !s.relevant ? true : holds(s.relevant);
      }
      return sectionState[id];
    }
    function matrixRelevant(id) {
      if (!(id in itemState)) {
        var m = items[id];
        var yes = sectionRelevant(m.section);
        if (yes !== false && m.relevant) {
          var own = holds(m.relevant);
          yes = yes === null || own === null ? (own === false ? false : null) : own;
        }
        itemState[id] = yes;
      }
      return itemState[id];
    }
    // true, false, or null (cannot be decided here).
    function relevant(item) {
      if (item.type === "matrix") return matrixRelevant(item.id);
      var yes = sectionRelevant(item.section);
      if (yes !== false && item.parent) yes = and3(yes, matrixRelevant(item.parent));
      if (yes !== false && item.relevant) yes = and3(yes, holds(item.relevant));
      itemState[item.id] = yes;
      return yes;
    }

    var shown = {};
    for (var i = 0; i < logic.items.length; i++) {
      var item = logic.items[i];
      var rel = relevant(item);
      var undetermined = rel === null || (item.depends || []).some(function (d) {
        return tainted[d];
      });
      if (undetermined) tainted[item.id] = true;
      shown[item.id] = undetermined || rel === true;
      if (!rel || undetermined) continue;
      if (item.type === "calculate") {
        try {
          values[item.id] = evaluate(item.calculation, value);
        } catch (e) {
          if (!(e instanceof Unknown)) throw e;
          tainted[item.id] = true;
        }
      } else {
        var v = answerValue(item);
        if (v === null) {
          tainted[item.id] = true;
        } else {
          values[item.id] = v;
        }
      }
    }

    for (var id in sections) {
      // A section is hidden only when its condition is false for certain;
      // its items follow their own state.
      var s = sections[id];
      var known = !(s.depends || []).some(function (d) { return tainted[d]; });
      show(s.element, !(known && sectionRelevant(id) === false));
    }
    for (var j = 0; j < logic.items.length; j++) {
      var it = logic.items[j];
      if (!it.element) continue;
      show(it.element, shown[it.id]);
      if (it.requiredMark && it.required && typeof it.required === "object") {
        it.requiredMark.hidden = !(shown[it.id] && holds(it.required) === true);
      }
    }
    updateReferences();
    updateProgress(shown, values, holds);
  }

  // The progress bar of a page (FormPage::pages) fills as the page's questions
  // that must be answered are: from the pages before it to the end of this
  // one. Without the script it shows this page as done.
  function updateProgress(shown, values, holds) {
    var bar = document.getElementById("sipas-progress-bar");
    if (!bar) return;
    var due = 0, answered = 0;
    for (var i = 0; i < logic.items.length; i++) {
      var it = logic.items[i];
      if (!it.element || !shown[it.id] || it.type === "matrix" || it.type === "note") continue;
      var required = it.required === true || (it.required && holds(it.required) === true);
      if (!required) continue;
      due++;
      if (values[it.id] && values[it.id] !== EMPTY) answered++;
    }
    var page = Number(bar.getAttribute("data-page"));
    bar.value = page - 1 + (due === 0 ? 1 : answered / due);
  }

  function and3(a, b) {
    if (a === false || b === false) return false;
    if (a === null || b === null) return null;
    return true;
  }

  // ${id} in texts: the label of the chosen answer, or the text typed.
  function updateReferences() {
    var refs = document.querySelectorAll("[data-ref]");
    for (var i = 0; i < refs.length; i++) {
      var item = items[refs[i].getAttribute("data-ref")];
      if (!item || item.preload || !item.inputs) continue;
      var shown = [];
      for (var j = 0; j < item.inputs.length; j++) {
        var input = item.inputs[j];
        if (input.disabled) continue;
        if (input.type === "radio" || input.type === "checkbox") {
          if (!input.checked) continue;
          var label = input.closest("label");
          var text = label && label.querySelector(".choice-label");
          shown.push(text ? text.textContent : input.value);
        } else if (input.value !== "") {
          shown.push(input.value);
        }
      }
      var joined = shown.join(", ");
      if (refs[i].textContent !== joined) refs[i].textContent = joined;
    }
  }

  function start() {
    var data = document.getElementById("sipas-logic");
    form = document.getElementById("sipas-form");
    if (!data || !form) return;
    logic = JSON.parse(data.textContent);
    logic.sections.forEach(function (s) {
      s.element = document.getElementById("section-" + s.id);
      sections[s.id] = s;
    });
    logic.items.forEach(function (item) {
      item.element = document.getElementById("item-" + item.id);
      item.inputs = Array.prototype.filter.call(form.elements, function (e) {
        return e.name === item.id;
      });
      if (item.element) {
        var mark = item.element.querySelector("[data-required-if]");
        // The row's own mark, not one of a nested row's.
        if (mark && mark.closest("[data-item]") === item.element) item.requiredMark = mark;
      }
      items[item.id] = item;
    });
    form.addEventListener("change", refresh);
    form.addEventListener("input", refresh);
    refresh();
    var summary = document.getElementById("sipas-error-summary");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", focusTarget);
    }
  }

  // Following a link of the error summary only scrolls to the input; focus it
  // too, with its question in view above it.
  function focusTarget(event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var item = target.closest("[data-item]") || target;
    item.scrollIntoView();
    if (typeof target.focus === "function") target.focus({ preventScroll: true });
  }

  window.sipasForm = {
    evaluate: function (node, values) {
      // values: {id: Value}; returns the Value, or {k: "unknown"}.
      try {
        return evaluate(node, function (id) { return values[id] || EMPTY; });
      } catch (e) {
        if (e instanceof Unknown) return { k: "unknown" };
        throw e;
      }
    },
    refresh: function () { refresh(); },
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
