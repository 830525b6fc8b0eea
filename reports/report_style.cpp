// The report's style sheet, inlined in the page so that the file stands alone.
// System fonts only; one column on a phone, small multiples side by side on a
// laptop; tables scroll sideways inside their box instead of widening the
// page; print keeps charts whole.

#include "reports/report_page.hpp"

namespace sipas::reports::page {

std::string_view report_css() {
  return R"css(
:root{--ink:#1f2937;--muted:#5b6472;--line:#e3e6ea;--soft:#f5f6f8;--accent:#1e3a8a;--brand:#3d6fb4;--ref:#b45309}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--soft);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
.wrap{max-width:1040px;margin:0 auto;padding:0 20px}
.page-header{background:#fff;border-bottom:1px solid var(--line);padding:28px 0 14px}
h1{font-size:26px;line-height:1.25;margin:0 0 4px;color:var(--accent);font-weight:700;overflow-wrap:anywhere}
.subtitle{margin:0 0 12px;color:var(--muted);font-size:14px}
.toc{list-style:none;margin:10px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.toc a{display:inline-block;padding:4px 10px;border:1px solid var(--line);border-radius:999px;color:var(--accent);text-decoration:none;font-size:13.5px;background:#fff}
.toc a:hover{background:#eef2fb}
main{padding-top:8px;padding-bottom:8px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin:18px 0}
h2{font-size:20px;line-height:1.3;margin:0 0 14px;color:var(--ink)}
h3{font-size:15.5px;margin:22px 0 8px;color:var(--ink)}
.note,figcaption{color:var(--muted);font-size:13.5px;margin:8px 0 0}
.facts{margin:6px 0 10px;font-size:14px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,220px),1fr));gap:14px;margin-bottom:12px}
.kpi{border:1px solid var(--line);border-radius:8px;padding:14px 16px;background:#fbfcfd}
.kpi-main{grid-column:span 2;background:#f3f6fc;border-color:#d5def0}
.kpi-label{font-size:13.5px;color:var(--muted);font-weight:600}
.kpi-value{font-size:40px;line-height:1.1;font-weight:700;color:var(--accent);font-variant-numeric:tabular-nums;margin:4px 0}
.kpi-group .kpi-value{font-size:28px}
.kpi-value .pct{font-size:.55em;font-weight:600;margin-left:2px}
.kpi-ci,.kpi-n{font-size:14px;font-variant-numeric:tabular-nums}
.kpi-n{color:var(--muted)}
figure{margin:0}
.chart-figure{margin:6px 0 14px}
.chart{max-width:100%}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,420px),1fr));gap:10px 36px}
.profile{border-top:1px solid var(--line);padding-top:10px}
.profile-title{display:flex;justify-content:space-between;gap:12px;color:var(--ink);font-weight:600;font-size:14.5px;margin:0 0 4px}
.profile-value{color:var(--accent);font-variant-numeric:tabular-nums}
.legend{list-style:none;margin:4px 0 8px;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px;color:var(--muted)}
.legend li{display:flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;flex:none}
.swatch.dot{background:#1d4ed8;border-radius:50%}
.swatch.tick{width:3px;height:16px;background:var(--ref);border-radius:0}
.table-wrap{overflow-x:auto;margin:10px 0;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:12.5px;text-transform:none;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);white-space:nowrap}
tbody th{font-weight:500}
.name{white-space:nowrap}
.group{text-align:center}
.flag-list{min-width:14em}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.code{display:inline-block;min-width:2.2em;color:var(--muted);font-size:12.5px;font-weight:600}
.badge{display:inline-block;min-width:1.9em;text-align:center;padding:1px 7px;border-radius:4px;font-weight:700;font-size:13px;background:#e5e7eb;color:#374151}
.badge-1{background:#dcfce7;color:#14532d}.badge-2{background:#dbeafe;color:#1e3a8a}.badge-3{background:#fef3c7;color:#78350f}.badge-4{background:#fee2e2;color:#7f1d1d}
.flag{display:inline-block;font-size:12.5px;color:#7c2d12;background:#fff7ed;border:1px solid #fed7aa;border-radius:4px;padding:0 6px;margin:1px 4px 1px 0}
.thresholds .badge{margin-left:2px}
.sig{display:inline-block;font-size:12.5px;font-weight:700;border-radius:4px;padding:0 6px}
.sig-above,.sig-up{color:#14532d;background:#dcfce7}.sig-below,.sig-down{color:#7f1d1d;background:#fee2e2}
abbr{text-decoration:none}
.area-key{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,300px),1fr));gap:2px 20px;font-size:13px;color:var(--muted);margin:4px 0 0}
.area-key div,dl.methods div{display:flex;gap:8px}
.area-key dt{font-weight:700;color:var(--ink);min-width:2.5em}
.area-key dd{margin:0}
dl.methods{margin:0;display:grid;gap:4px}
dl.methods div{border-bottom:1px dashed var(--line);padding:4px 0;flex-wrap:wrap}
dl.methods dt{flex:0 0 min(100%,300px);color:var(--muted)}
dl.methods dd{margin:0;flex:1 1 240px;min-width:0;overflow-wrap:anywhere}
code,pre{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
.hash{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px;color:var(--muted);word-break:break-all}
.inputs-table td{white-space:normal}
pre.command{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px 12px;white-space:pre-wrap;overflow-wrap:anywhere;margin:0}
details{margin:6px 0 0}
summary{cursor:pointer;color:var(--accent);font-size:14px;font-weight:600;padding:4px 0}
footer{color:var(--muted);font-size:13px;padding-bottom:28px}
@media (max-width:640px){
  body{font-size:14.5px}
  .wrap{padding:0 12px}
  .page-header{padding:18px 0 10px}
  h1{font-size:21px}
  section{padding:14px 14px;margin:12px 0;border-radius:8px}
  h2{font-size:18px}
  .kpi-main{grid-column:auto}
  .kpi-value{font-size:34px}
  th,td{padding:6px 7px}
  .opt{display:none}
}
@media print{
  body{background:#fff}
  .toc{display:none}
  section{border:none;padding:0;margin:18px 0}
  figure,.kpi,tr{break-inside:avoid}
}
)css";
}

}  // namespace sipas::reports::page
