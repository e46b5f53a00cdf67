// Renders Adaptive Cards as Teams draws them: the real JavaScript renderer (npm `adaptivecards`)
// with Microsoft's Teams light host config (shipped in npm `adaptivecards-designer`), at a fixed
// width, in headless Chromium driven by playwright-core. One PNG per card.
//
//   node render.js cards.json out/ [--width 500] [--raw-text] [--theme light|dark] [--chromium /usr/bin/chromium]
//
// cards.json is a list of {"name": "...", "card": {...}}; images must already be inlined as
// data: URIs (tools/render_cards.py does that), since the page has no network. Prints one JSON
// line per card: {"name", "png", "width", "height", "warnings"}.
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
  window.renderCard = (json) => {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig(HOST_CONFIG);
    const context = new AdaptiveCards.SerializationContext();
    card.parse(json, context);
    const target = document.getElementById("card");
    target.innerHTML = "";
    target.appendChild(card.render());
    const warnings = [];
    for (let i = 0; i < context.eventCount; i++) warnings.push(context.getEventAt(i).message);
    return Promise.all(
      Array.from(target.querySelectorAll("img")).map((img) =>
        img.complete ? null : new Promise((done) => { img.onload = done; img.onerror = done; })
      )
    ).then(() => warnings);
  };
</script>
</head><body><div id="card" class="teams-card"></div></body></html>`;
}

async function main() {
  const args = process.argv.slice(2);
  const [input, outDir] = args;
  if (!input || !outDir) {
    console.error("usage: node render.js cards.json out/ [--width 500] [--raw-text]");
    process.exit(2);
  }
  const width = Number(option(args, "--width", "500"));
  const theme = option(args, "--theme", "light");
  if (!(theme in BACKGROUNDS)) {
    console.error(`--theme is light or dark, not ${theme}`);
    process.exit(2);
  }
  const executablePath = option(args, "--chromium", "/usr/bin/chromium");
  const cards = JSON.parse(fs.readFileSync(input, "utf8"));
  fs.mkdirSync(outDir, { recursive: true });
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
    const tab = browser.pages()[0] || (await browser.newPage());
    await tab.setContent(page(width, args.includes("--raw-text"), theme));
    for (const { name, card } of cards) {
      const warnings = await tab.evaluate((json) => window.renderCard(json), card);
      const element = await tab.$("#card");
      const box = await element.boundingBox();
      const png = path.join(outDir, `${name}.png`);
      await element.screenshot({ path: png });
      console.log(
        JSON.stringify({ name, png, width: Math.round(box.width), height: Math.round(box.height), warnings })
      );
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
