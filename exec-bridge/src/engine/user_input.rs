//! What the user sends: text and images, in the order given. The order is kept from the
//! client to the model request and back to the client (a resumed thread shows the message as it
//! was sent), as Codex keeps it.

use std::path::PathBuf;

/// One part of what the user sends.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InputPart {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image by URL (`https:` or `data:`).
    Image {
        /// The URL.
        url: String,
    },
    /// A local image file, sent to the model as a `data:` URL.
    LocalImage {
        /// The file.
        path: PathBuf,
    },
}

/// The user's message of a turn, as recorded in session files (the `user_message` item).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "Recorded")]
pub struct UserMessage {
    /// The parts, in the order given.
    pub content: Vec<InputPart>,
}

impl UserMessage {
    /// A message of one text.
    pub fn text(text: String) -> Self {
        Self { content: vec![InputPart::Text { text }] }
    }

    /// The text parts, in order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.content.iter().filter_map(|part| match part {
            InputPart::Text { text } => Some(text.as_str()),
            _ => None,
        })
    }
}

/// A recorded `user_message`: `content` since the order is kept; before, `texts`, `images` and
/// `image_urls` apart (read as texts, then URLs, then local images: the order they were sent
/// to the model in).
#[derive(serde::Deserialize)]
struct Recorded {
    #[serde(default)]
    content: Vec<InputPart>,
    #[serde(default)]
    texts: Vec<String>,
    #[serde(default)]
    images: Vec<PathBuf>,
    #[serde(default)]
    image_urls: Vec<String>,
}

impl From<Recorded> for UserMessage {
    fn from(recorded: Recorded) -> Self {
        let Recorded { mut content, texts, images, image_urls } = recorded;
        content.extend(texts.into_iter().map(|text| InputPart::Text { text }));
        content.extend(image_urls.into_iter().map(|url| InputPart::Image { url }));
        content.extend(images.into_iter().map(|path| InputPart::LocalImage { path }));
        Self { content }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::items::{Item, ItemKind};
    use serde_json::json;

    #[test]
    fn the_order_is_recorded_and_read_back() {
        let item = Item {
            id: "item-1".into(),
            kind: ItemKind::UserMessage(UserMessage {
                content: vec![
                    InputPart::LocalImage { path: "/w/a.png".into() },
                    InputPart::Text { text: "look".into() },
                    InputPart::Image { url: "https://x/b.png".into() },
                ],
            }),
        };
        let recorded = serde_json::to_value(&item).unwrap();
        assert_eq!(
            recorded["kind"],
            json!({"type": "user_message", "content": [
                {"type": "local_image", "path": "/w/a.png"},
                {"type": "text", "text": "look"},
                {"type": "image", "url": "https://x/b.png"},
            ]})
        );
        assert_eq!(serde_json::from_value::<Item>(recorded).unwrap(), item);
    }

    #[test]
    fn earlier_session_files_still_read() {
        let old = json!({"id": "item-1", "kind": {"type": "user_message", "texts": ["a", "b"],
            "images": ["/w/a.png"], "image_urls": ["https://x/b.png"]}});
        let Item { kind: ItemKind::UserMessage(message), .. } = serde_json::from_value(old).unwrap() else {
            panic!("a user message")
        };
        assert_eq!(
            message.content,
            [
                InputPart::Text { text: "a".into() },
                InputPart::Text { text: "b".into() },
                InputPart::Image { url: "https://x/b.png".into() },
                InputPart::LocalImage { path: "/w/a.png".into() },
            ]
        );
        assert_eq!(message.texts().collect::<Vec<_>>(), ["a", "b"]);
    }
}
