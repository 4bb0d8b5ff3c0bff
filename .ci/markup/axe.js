// Runs axe-core (WCAG 2.0 and 2.1, levels A and AA) on every page listed in index.txt, signed in
// as the demo organizer, in Debian's Chromium. Prints each violation with a sample; exits 1 if any.
// Usage: node axe.js BASE_URL EMAIL PASSWORD INDEX_FILE
const fs = require("fs");
const { chromium } = require("playwright-core");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

(async () => {
  const [base, email, password, indexFile] = process.argv.slice(2);
  const urls = fs.readFileSync(indexFile, "utf8").trim().split("\n").map((line) => line.split(" ")[2]);
  const browser = await chromium.launch({
    executablePath: process.env.GHENT_CHROME || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  // Our CSP forbids inline scripts, axe's included: the check bypasses it, the site does not.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.goto(base + "/login");
  await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
  const found = {};
  for (const url of urls) {
    await page.goto(url);
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(() =>
      axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
    for (const v of result.violations) {
      const key = `${v.id}: ${v.help}`;
      found[key] = found[key] || { nodes: 0, pages: [], sample: `${v.nodes[0].html} | ${v.nodes[0].failureSummary}` };
      found[key].nodes += v.nodes.length;
      found[key].pages.push(url.slice(base.length));
    }
  }
  await browser.close();
  for (const [key, v] of Object.entries(found)) {
    console.log(`${key}: ${v.nodes} elements on ${v.pages.length} pages, e.g. ${v.pages[0]}\n  ${v.sample.slice(0, 400)}`);
  }
  console.log(`axe-core ${require("axe-core/package.json").version}: ${urls.length} pages, ${Object.keys(found).length} kinds of violation`);
  process.exit(Object.keys(found).length ? 1 : 0);
})();
