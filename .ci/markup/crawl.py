"""Signs in as the demo organizer and saves every same-origin HTML page reachable from / and
/admin/ (at most 500) into the current folder; index.txt lists file, status and URL.
Usage: crawl.py BASE_URL EMAIL PASSWORD. Exits 1 if any page answers 500 or more."""
import hashlib
import http.cookiejar
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

base, email, password = sys.argv[1:4]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def get(url):
    try:
        r = opener.open(url)
        return r.status, r.headers.get("content-type", ""), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read().decode("utf-8", "replace")


_, _, login = get(base + "/login")
token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
opener.open(base + "/login", urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode())

# Not pages: exports, downloads, the raw HTML part of a mail (a fragment shown in an iframe), logout.
skip = ("/logout", ".ics", ".xml", ".json", ".csv", "/static/", "/html")
seen, queue, saved, broken = set(), [base + "/", base + "/admin/"], 0, []
with open("index.txt", "w") as index:
    while queue and saved < 500:
        url = queue.pop(0)
        if url in seen or any(s in url for s in skip):
            continue
        seen.add(url)
        status, ctype, html = get(url)
        if status >= 500:
            broken.append(f"{status} {url}")
        if "text/html" not in ctype:
            continue
        name = hashlib.sha1(url.encode()).hexdigest()[:12] + ".html"
        with open(name, "w") as f:
            f.write(html)
        index.write(f"{name} {status} {url}\n")
        saved += 1
        for href in re.findall(r'href="([^"#]+)', html):
            full = urllib.parse.urljoin(url, href.replace("&amp;", "&"))
            if full.startswith(base) and full not in seen:
                queue.append(full)
print(f"crawled {saved} pages")
if broken:
    print("server errors:\n" + "\n".join(broken))
    sys.exit(1)
