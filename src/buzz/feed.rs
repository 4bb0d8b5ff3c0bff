//! The buzz feed: RFC 4287 Atom, one entry per published item, newest first. The feed's id
//! is a `tag:` URI of the site and event, each entry's the item's UUID as a URN, so readers
//! never see an entry twice. An entry without a link of its own links to the buzz page (Atom
//! wants a link or content on every entry).

use std::io::Cursor;

use quick_xml::events::{BytesDecl, BytesText, Event as XmlEvent};
use quick_xml::Writer;

use super::model::BuzzItem;
use crate::events::display::iso_utc;
use crate::events::Event;
use crate::urls;

type W = Writer<Cursor<Vec<u8>>>;

fn text(w: &mut W, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn link(w: &mut W, href: &str, rel: &str) -> std::io::Result<()> {
    w.create_element("link")
        .with_attribute(("rel", rel))
        .with_attribute(("href", href))
        .write_empty()?;
    Ok(())
}

/// The feed of an event's published items (`items` newest first).
pub fn atom(event: &Event, items: &[BuzzItem], base_url: &str) -> std::io::Result<Vec<u8>> {
    let page = urls::absolute(base_url, &urls::buzz(&event.slug));
    let host = url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "localhost".into());
    let updated = items
        .iter()
        .map(|i| i.updated_at)
        .max()
        .unwrap_or(event.updated_at);
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    w.write_event(XmlEvent::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    w.create_element("feed")
        .with_attribute(("xmlns", "http://www.w3.org/2005/Atom"))
        .write_inner_content(|w| {
            text(w, "title", &format!("Buzz · {}", event.name))?;
            text(
                w,
                "subtitle",
                &format!("What was written and said about {}", event.name),
            )?;
            text(w, "id", &format!("tag:{host},2009:{}/buzz", event.slug))?;
            text(w, "updated", &iso_utc(updated))?;
            link(w, &page, "alternate")?;
            link(w, &format!("{page}feed.atom"), "self")?;
            w.create_element("author")
                .write_inner_content(|w| text(w, "name", &event.name))?;
            text(w, "generator", "Ghent")?;
            for item in items {
                w.create_element("entry").write_inner_content(|w| {
                    text(w, "title", &item.title)?;
                    text(w, "id", &format!("urn:uuid:{}", item.id))?;
                    text(w, "updated", &iso_utc(item.updated_at))?;
                    text(w, "published", &iso_utc(item.published_on))?;
                    if !item.author.is_empty() {
                        w.create_element("author")
                            .write_inner_content(|w| text(w, "name", &item.author))?;
                    }
                    link(
                        w,
                        if item.url.is_empty() {
                            &page
                        } else {
                            &item.url
                        },
                        "alternate",
                    )?;
                    w.create_element("category")
                        .with_attribute(("term", item.kind.as_str()))
                        .with_attribute(("label", item.kind.label()))
                        .write_empty()?;
                    if !item.quote.is_empty() {
                        text(w, "summary", &item.quote)?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(w.into_inner().into_inner())
}
