//! Pages of a long list: which page, how many in all, and the links to the pages before and
//! after, which keep the list's filters (the caller builds each link).

use serde::{Deserialize, Serialize};

/// The `?page=N` of a list without other filters.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// 1-based (0 or missing: the first).
    pub page: i64,
}

/// One page of a list of `total` rows, `per_page` at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 1-based, within 1..=pages.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
    /// Rows in all (with the filters).
    pub total: i64,
}

/// What a page shows of its paging.
#[derive(Debug, Clone, Serialize)]
pub struct PagerView {
    /// This page.
    pub page: i64,
    /// How many pages.
    pub pages: i64,
    /// Rows in all.
    pub total: i64,
    /// First row shown (1-based; 0 when there are none).
    pub from: i64,
    /// Last row shown.
    pub to: i64,
    /// Link to the page before.
    pub prev: Option<String>,
    /// Link to the page after.
    pub next: Option<String>,
}

impl Paging {
    /// The page asked for (clamped to the pages there are) of `total` rows.
    pub fn new(requested: i64, per_page: i64, total: i64) -> Paging {
        let per_page = per_page.max(1);
        let pages = ((total + per_page - 1) / per_page).max(1);
        Paging {
            page: requested.clamp(1, pages),
            per_page,
            total,
        }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// How many pages.
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    /// The view, with links made by `link(page)`.
    pub fn view(&self, link: impl Fn(i64) -> String) -> PagerView {
        let from = if self.total == 0 {
            0
        } else {
            self.offset() + 1
        };
        PagerView {
            page: self.page,
            pages: self.pages(),
            total: self.total,
            from,
            to: (self.offset() + self.per_page).min(self.total),
            prev: (self.page > 1).then(|| link(self.page - 1)),
            next: (self.page < self.pages()).then(|| link(self.page + 1)),
        }
    }
}

/// The requested page of rows computed whole (an event's proposals with their scores, its
/// talks with their speakers: hundreds, not millions), and its paging.
pub fn slice<T>(rows: Vec<T>, requested: i64, per_page: i64) -> (Vec<T>, Paging) {
    let paging = Paging::new(requested, per_page, rows.len() as i64);
    let rows = rows
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page as usize)
        .collect();
    (rows, paging)
}

/// `path?k=v&…&page=N` with the non-empty `pairs`, URL-encoded (no `page` for page 1).
pub fn link(path: &str, pairs: &[(&str, &str)], page: i64) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
    }
    if page > 1 {
        s.append_pair("page", &page.to_string());
    }
    let q = s.finish();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_clamped_and_links_keep_the_filters() {
        let p = Paging::new(9, 50, 120);
        assert_eq!((p.page, p.pages(), p.offset()), (3, 3, 100));
        let v = p.view(|n| link("/x", &[("status", "dead"), ("kind", "")], n));
        assert_eq!((v.from, v.to), (101, 120));
        assert_eq!(v.prev.as_deref(), Some("/x?status=dead&page=2"));
        assert_eq!(v.next, None);
        assert_eq!(Paging::new(0, 50, 0).view(|_| String::new()).from, 0);
        assert_eq!(link("/x", &[], 1), "/x");
        let (rows, p) = slice((1..=7).collect::<Vec<_>>(), 3, 3);
        assert_eq!((rows, p.total, p.pages()), (vec![7], 7, 3));
    }
}
