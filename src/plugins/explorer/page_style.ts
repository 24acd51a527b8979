/**
 * The explorer page's style sheet, inlined in the page (and allowed by its hash): light and dark
 * colours from `prefers-color-scheme` (with contrast of at least 4.5:1 for text), a visible focus
 * ring, system fonts only.
 *
 * @module
 */

/**
 * The CSS of the explorer page.
 *
 * @example
 * ```ts
 * import { PAGE_STYLE } from "./page_style.ts";
 * PAGE_STYLE.includes("prefers-color-scheme: dark"); // true
 * ```
 */
export const PAGE_STYLE: string = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#575f69;--line:#d0d7de;--panel:#f6f8fa;--code:#eef1f4;
--accent:#0a58ca;--on-accent:#fff;--good:#116329;--bad:#b42318;--focus:#1f6feb;--private:#8a4b00}
@media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#343b44;--panel:#161b22;
--code:#1f252d;--accent:#58a6ff;--on-accent:#0d1117;--good:#56d364;--bad:#ff8a80;--focus:#79c0ff;--private:#e3b341}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif}
main{max-width:64rem;margin:0 auto;padding:1.5rem 1rem 4rem}
h1{font-size:1.9rem;margin:.1rem 0 .4rem;display:flex;flex-wrap:wrap;gap:.6rem;align-items:baseline;word-break:break-word}
h2{font-size:1.25rem;margin:0 0 .6rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
code,pre,textarea,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.9em}
code{background:var(--code);border-radius:4px;padding:.05rem .3rem;word-break:break-word}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:.75rem;overflow:auto;max-height:24rem;margin:.4rem 0;white-space:pre-wrap;word-break:break-word}
a{color:var(--accent)}
.kicker,.note,.hint{color:var(--muted)}
.kicker{margin:0;font-size:.85rem;text-transform:uppercase;letter-spacing:.06em}
.version{font-size:1rem;color:var(--muted);font-weight:normal}
.lead{font-size:1.1rem;margin:.2rem 0 .6rem}
.links{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.4rem 0 1.2rem}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem;margin:1rem 0}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}
.hint{font-weight:normal;font-size:.875rem}
input,select,textarea{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--muted);border-radius:6px;padding:.4rem .5rem;max-width:100%}
input[type=text],input[type=password],input[type=number],textarea{width:32rem}
input[type=radio]{width:auto;margin:0 .3rem 0 0}
textarea{min-height:2.6rem;resize:vertical}
fieldset{border:1px solid var(--line);border-radius:6px;margin:.8rem 0;padding:.3rem .8rem .6rem}
legend{font-weight:600;padding:0 .3rem}
fieldset.mode{border:0;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;align-items:center;gap:.2rem}
fieldset.mode legend{float:left;padding:0 1rem 0 0}
fieldset.mode label{display:inline-flex;align-items:center;font-weight:normal;margin:.2rem 1rem .2rem 0}
button{font:inherit;font-weight:600;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--on-accent);padding:.4rem .9rem;cursor:pointer}
button.secondary{background:transparent;color:var(--accent)}
button:disabled{opacity:.55;cursor:not-allowed}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
details.method{border:1px solid var(--line);border-radius:8px;margin:.6rem 0;background:var(--panel)}
details.method>summary{cursor:pointer;padding:.7rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;border-radius:8px}
details.method>summary::marker{color:var(--muted)}
details.method[open]>summary{border-bottom:1px solid var(--line);border-radius:8px 8px 0 0}
.method-body{padding:.2rem 1rem 1rem}
.name{font-weight:700;font-size:1rem}
.signature{background:none;color:var(--muted)}
.badge{font-size:.75rem;font-weight:700;border-radius:999px;padding:.05rem .55rem;border:1px solid currentColor;text-transform:uppercase;letter-spacing:.04em}
.public{color:var(--good)}
.private{color:var(--private)}
.plain{color:var(--muted)}
.status{font-weight:700;margin:.5rem 0 .2rem}
.good{color:var(--good)}
.bad{color:var(--bad)}
.batch-list{padding-left:1.4rem}
.batch-list li{margin:.3rem 0}
.skip{position:absolute;left:-999rem}
.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.4rem .8rem}
`;
