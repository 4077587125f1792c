//! What the tray menu says (pure): menu texts are mnemonic markup on every platform, so a
//! track's own `&` must be doubled or "Juniper & Oak" shows as "Juniper _ Oak" (GTK) or
//! loses the ampersand (Windows).

/// The first line of the tray menu while `title` ("Title - Artist") plays.
pub fn now_playing(title: Option<&str>) -> String {
    const LIMIT: usize = 60; // characters: a tray menu is not a place for long lines
    let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) else {
        return "Nothing playing".into();
    };
    let mut shown: String = title.chars().take(LIMIT).collect();
    if title.chars().count() > LIMIT {
        shown.pop();
        shown.push('…');
    }
    shown.replace('&', "&&")
}

#[cfg(test)]
mod tests {
    use super::now_playing;

    #[test]
    fn nothing() {
        assert_eq!(now_playing(None), "Nothing playing");
        assert_eq!(now_playing(Some("  ")), "Nothing playing");
    }

    #[test]
    fn ampersands_are_literal() {
        assert_eq!(now_playing(Some("Meadow - Juniper & Oak")), "Meadow - Juniper && Oak");
    }

    #[test]
    fn long_titles_are_cut_on_a_character() {
        let long = "é".repeat(80);
        let shown = now_playing(Some(&long));
        assert_eq!(shown.chars().count(), 60);
        assert!(shown.ends_with('…'));
    }
}
