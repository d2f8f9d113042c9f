//! "Did you mean": the allowed value closest to a mistyped one, so that an error listing the
//! choices also points at the one the user most likely meant (`ms-graph` → `msgraph`,
//! `ServiceAccount` → `Service Account`).

/// The candidate `input` most likely stands for: the first one equal to it once case and
/// everything but letters and digits are ignored, else the nearest within a few edits (about a
/// third of the candidate's length, at least one). `None` when nothing is that close.
pub fn closest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let typed = normalize(input);
    if typed.is_empty() {
        return None;
    }
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let wanted = normalize(candidate);
        let distance = edit_distance(&typed, &wanted);
        let allowed = (wanted.len() / 3).max(1);
        if distance <= allowed && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// ` Did you mean "X"?` when a candidate is close (see [`closest`]), else nothing: to append to
/// a diagnostic's detail.
pub fn did_you_mean(input: &str, candidates: &[&str]) -> String {
    closest(input, candidates).map(|c| format!(" Did you mean {c:?}?")).unwrap_or_default()
}

/// Lower-case letters and digits only: `Service Account`, `service-account` and `SERVICEACCOUNT`
/// are all `serviceaccount`.
fn normalize(s: &str) -> Vec<char> {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Levenshtein distance: insertions, deletions and substitutions of one character each.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATES: &[&str] = &["azure", "azure-openai", "msgraph", "sharepoint", "aws", "connect", "vertex-ai"];
    const AUTH: &[&str] = &["Viewer", "Service Account", "Visitor API Key"];

    #[test]
    fn case_and_punctuation_do_not_count() {
        assert_eq!(closest("ms-graph", TEMPLATES), Some("msgraph"));
        assert_eq!(closest("azure-open-ai", TEMPLATES), Some("azure-openai"));
        assert_eq!(closest("share_point", TEMPLATES), Some("sharepoint"));
        assert_eq!(closest("VertexAI", TEMPLATES), Some("vertex-ai"));
        assert_eq!(closest("ServiceAccount", AUTH), Some("Service Account"));
        assert_eq!(closest("viewer", AUTH), Some("Viewer"));
        assert_eq!(closest("visitor-api-key", AUTH), Some("Visitor API Key"));
    }

    #[test]
    fn small_typos_are_matched_to_the_nearest() {
        assert_eq!(closest("sharepiont", TEMPLATES), Some("sharepoint"));
        assert_eq!(closest("graph", TEMPLATES), Some("msgraph"));
        assert_eq!(closest("Veiwer", AUTH), Some("Viewer"));
        assert_eq!(closest("Service Acount", AUTH), Some("Service Account"));
        // The nearer of two close candidates wins.
        assert_eq!(closest("azur", TEMPLATES), Some("azure"));
    }

    #[test]
    fn nothing_close_suggests_nothing() {
        assert_eq!(closest("gcp", TEMPLATES), None);
        assert_eq!(closest("oracle", TEMPLATES), None);
        assert_eq!(closest("Admin", AUTH), None);
        assert_eq!(closest("", AUTH), None);
        assert_eq!(closest("--", AUTH), None);
        assert_eq!(did_you_mean("gcp", TEMPLATES), "");
        assert_eq!(did_you_mean("ms-graph", TEMPLATES), " Did you mean \"msgraph\"?");
    }

    #[test]
    fn edit_distances() {
        let d = |a: &str, b: &str| edit_distance(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>());
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("abc", "abc"), 0);
        assert_eq!(d("ab", "ba"), 2);
    }
}
