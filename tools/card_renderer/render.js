// Renders Adaptive Cards as Teams draws them: the real JavaScript renderer (npm `adaptivecards`)
// with Microsoft's Teams host configs (shipped in npm `adaptivecards-designer`), at a fixed
// width, in headless Chromium driven by playwright-core. One PNG per card, or (--check) none.
//
//   node render.js cards.json out/ [--width 500] [--raw-text] [--theme light|dark|light,dark]
//                  [--chromium /usr/bin/chromium]
//   node render.js cards.json --check [--width 500] [--theme light,dark]
//
// cards.json is a list of {"name": "...", "card": {...}}; images must already be inlined as
// data: URIs (tools/render_cards.py does that), since the page has no network. All cards, in
// every theme asked for, are drawn in one Chromium. Prints one JSON line per card and theme:
// {"name", "theme", "png", "width", "height", "warnings", "issues", "empty", "overflows",
// "contrast", "hostContrast"}:
// `warnings` are the renderer's parse events, `issues` its validation (validateProperties()),
// `empty` that it drew nothing, `overflows` what is drawn past the card or cut off, `contrast`
// each drawn text below WCAG AA's 4.5:1 against what is behind it, `hostContrast` the same for
// what the host colours (links, a required input's "*").
//
// Text goes through markdown-it as Teams desktop reads it; --raw-text shows it unprocessed, as
// Teams mobile is known to (so a needless backslash escape shows there).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function option(args, name, fallback) {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
}

function modulePath(...parts) {
  return path.join(__dirname, "node_modules", ...parts);
}

// Teams' page and card backgrounds in each theme (the card is drawn on the host's own colour)
const BACKGROUNDS = { light: ["#F5F5F5", "white"], dark: ["#1F1F1F", "#292929"] };

// Runs in the page (its text is put there): window.renderCard(json) draws a card into #card
// and says what the renderer reported and what sticks out.
/* global AdaptiveCards, HOST_CONFIG */
function inPage() {
  const described = (e) => `${AdaptiveCards.ValidationEvent[e.event] || e.event}: ${e.message}`;
  // What is wider than the card: the card or any of the renderer's boxes whose content is wider
  // than the box (a ColumnSet of fixed widths), and what is drawn past the card's edges or cut off
  // by a box that clips it (a line that does not wrap): each piece of text (its laid-out lines,
  // which clipping does not shorten), image, input, button and box with a background or border.
  // Inside a text block only what is drawn counts: markdown's <ol> is its 100% plus its indent
  // wide, an empty overhang the block clips.
  const REPLACED = new Set(["IMG", "INPUT", "SELECT", "TEXTAREA", "BUTTON", "SVG", "CANVAS", "VIDEO"]);
  function overflows(target) {
    const card = target.getBoundingClientRect();
    const found = new Set();
    const name = (el) => `<${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ""}>`;
    const said = (text) => (text ? `: ${JSON.stringify(text.trim().replace(/\s+/g, " ").slice(0, 60))}` : "");
    function check(rect, el, text) {
      if (rect.width === 0 || rect.height === 0) return;
      if (rect.right > card.right + 0.5 || rect.left < card.left - 0.5) {
        const past = Math.round(Math.max(rect.right - card.right, card.left - rect.left));
        found.add(`${name(el)} ${past} px past the card's ${width(card)} px${said(text)}`);
        return;
      }
      for (let box = el; box && box !== target; box = box.parentElement) {
        if (getComputedStyle(box).overflowX === "visible") continue;
        const clip = box.getBoundingClientRect();
        if (rect.right > clip.right + 0.5 || rect.left < clip.left - 0.5) {
          found.add(`${name(el)} cut off by ${name(box)} ${width(clip)} px wide${said(text)}`);
          return;
        }
      }
    }
    const width = (rect) => Math.round(rect.width);
    const texts = document.createTreeWalker(target, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
      const node = texts.currentNode;
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) check(rect, node.parentElement, node.textContent);
    }
    for (const el of [target, ...target.querySelectorAll("*")]) {
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && !el.closest(".ac-textBlock, .ac-richTextBlock")) {
        found.add(`${name(el)} content ${el.scrollWidth} px wide in ${el.clientWidth} px${said(el.innerText)}`);
      }
      if (el === target) continue;
      const style = getComputedStyle(el);
      const painted =
        REPLACED.has(el.tagName.toUpperCase()) ||
        !/rgba\(0, 0, 0, 0\)|transparent/.test(style.backgroundColor) ||
        ["Top", "Right", "Bottom", "Left"].some((side) => parseFloat(style[`border${side}Width`]) > 0);
      if (painted) check(el.getBoundingClientRect(), el, el.getAttribute("alt") || el.innerText || "");
    }
    return [...found];
  }
  // Each drawn text's contrast with what is behind it, as WCAG reckons it: its computed colour
  // (Teams' subtle text has alpha) over the first painted background of it or its ancestors.
  const rgba = (css) => {
    const [r, g, b, a = 1] = (css.match(/[\d.]+/g) || []).map(Number);
    return { r, g, b, a: css.startsWith("rgba") ? a : 1 };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) =>
    [r, g, b]
      .map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
      .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  function background(el) {
    const layers = [];
    for (let at = el; at; at = at.parentElement) {
      const colour = rgba(getComputedStyle(at).backgroundColor);
      if (colour.a > 0) layers.push(colour);
      if (colour.a >= 1) break;
    }
    return layers.reduceRight((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
  }
  // What the host draws in its own colours, which a card cannot choose: a markdown link (Teams'
  // CSS colours it) and the "*" after a required input's label (the host config's suffix colour).
  const hostDrawn = (el, text) =>
    Boolean(el.closest("a")) || (text === "*" && Boolean(el.closest("label")));
  function contrasts(target, least) {
    const found = { card: new Set(), host: new Set() };
    const texts = document.createTreeWalker(target, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
      const node = texts.currentNode;
      const el = node.parentElement;
      if (!node.textContent.trim() || !el.getClientRects().length) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== "visible" || Number(style.opacity) === 0) continue;
      const behind = background(el);
      const [a, b] = [luminance(over(rgba(style.color), behind)), luminance(behind)];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < least) {
        const text = node.textContent.trim().replace(/\s+/g, " ").slice(0, 60);
        found[hostDrawn(el, text) ? "host" : "card"].add(`${JSON.stringify(text)} is ${ratio.toFixed(2)}:1 (${style.color} on rgb(${[behind.r, behind.g, behind.b].map(Math.round)}))`);
      }
    }
    return { contrast: [...found.card], hostContrast: [...found.host] };
  }
  window.renderCard = (json) => {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig(HOST_CONFIG);
    const context = new AdaptiveCards.SerializationContext();
    const warnings = [];
    const target = document.getElementById("card");
    target.innerHTML = "";
    let drawn;
    try {
      card.parse(json, context);
      drawn = card.render();
    } catch (error) {
      warnings.push(`the renderer threw: ${error}`);
    }
    for (let i = 0; i < context.eventCount; i++) warnings.push(described(context.getEventAt(i)));
    const issues = card.validateProperties().validationEvents.map(described);
    if (drawn) target.appendChild(drawn);
    const empty = !drawn || drawn.getBoundingClientRect().height === 0 || !drawn.innerText.trim();
    return Promise.all(
      Array.from(target.querySelectorAll("img")).map((img) =>
        img.complete ? null : new Promise((done) => { img.onload = done; img.onerror = done; })
      )
    ).then(() => ({ warnings, issues, empty, overflows: overflows(target), ...contrasts(target, 4.5) }));
  };
}

function page(width, rawText, theme) {
  const read = (...parts) => fs.readFileSync(modulePath(...parts), "utf8");
  const hostConfig = read("adaptivecards-designer", "lib", "hostConfigs", `microsoft-teams-${theme}.json`);
  const teamsCss = read("adaptivecards-designer", "dist", "containers", `teams-container-${theme}.css`);
  const [pageBackground, cardBackground] = BACKGROUNDS[theme];
  return `<!doctype html>
<html><head><meta charset="utf-8">
<style>${read("adaptivecards", "dist", "adaptivecards.css")}</style>
<style>${teamsCss}</style>
<style>
  body { margin: 0; padding: 8px; background: ${pageBackground}; font-family: 'Segoe UI', Tahoma, Geneva, Verdana, sans-serif; }
  #card { width: ${width}px; background: ${cardBackground}; }
</style>
<script>${read("markdown-it", "dist", "browser", "markdown-it.umd.min.js")}</script>
<script>${read("adaptivecards", "dist", "adaptivecards.min.js")}</script>
<script>
  const HOST_CONFIG = ${hostConfig};
  const RAW_TEXT = ${rawText ? "true" : "false"};
  const markdown = window.markdownit();
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    if (RAW_TEXT) return;
    result.outputHtml = markdown.render(text);
    result.didProcess = true;
  };
  (${inPage.toString()})();
</script>
</head><body><div id="card" class="teams-card"></div></body></html>`;
}

async function main() {
  const args = process.argv.slice(2);
  const [input, outDir] = args;
  const check = args.includes("--check");
  if (!input || (!outDir && !check)) {
    console.error("usage: node render.js cards.json (out/ | --check) [--width 500] [--raw-text] [--theme light,dark]");
    process.exit(2);
  }
  const width = Number(option(args, "--width", "500"));
  const themes = option(args, "--theme", "light").split(",");
  for (const theme of themes) {
    if (!(theme in BACKGROUNDS)) {
      console.error(`--theme is light, dark or light,dark, not ${theme}`);
      process.exit(2);
    }
  }
  const executablePath = option(args, "--chromium", "/usr/bin/chromium");
  const cards = JSON.parse(fs.readFileSync(input, "utf8"));
  if (!check) fs.mkdirSync(outDir, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "card-renderer-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: width + 16, height: 800 },
    deviceScaleFactor: 1,
    offline: true,
  });
  try {
    for (const theme of themes) {
      // a new tab per theme: a second setContent keeps the window, whose consts then clash, and
      // the first theme's renderCard would draw the second theme's cards
      const tab = await browser.newPage();
      await tab.setContent(page(width, args.includes("--raw-text"), theme));
      for (const { name, card } of cards) {
        const found = await tab.evaluate((json) => window.renderCard(json), card);
        const element = await tab.$("#card");
        const box = await element.boundingBox();
        const suffix = themes.length > 1 ? `-${theme}` : "";
        const png = check ? null : path.join(outDir, `${name}${suffix}.png`);
        if (png) await element.screenshot({ path: png });
        const size = { width: Math.round(box.width), height: Math.round(box.height) };
        console.log(JSON.stringify({ name, theme, png, ...size, ...found }));
      }
      await tab.close();
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
