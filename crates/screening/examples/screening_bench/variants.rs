//! Positive variants of a listed name.
use super::*;

// ---------------------------------------------------------------------------------------------
// Positive variants

pub(crate) fn pick_name<'n>(rng: &mut Rng, names: Vec<&'n str>) -> Option<&'n str> {
    (!names.is_empty()).then(|| *rng.pick(&names))
}

/// One random edit (substitution, deletion, insertion or adjacent transposition) in one word
/// of five letters or more.
pub(crate) fn typo(rng: &mut Rng, name: &str) -> String {
    let mut words: Vec<String> = name.split_whitespace().map(str::to_owned).collect();
    let long: Vec<usize> = (0..words.len())
        .filter(|&i| letters(&words[i]) >= 5)
        .collect();
    let w = *rng.pick(&long);
    let mut chars: Vec<char> = words[w].chars().collect();
    let pos: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_ascii_alphabetic())
        .collect();
    let upper = chars.iter().filter(|c| c.is_ascii_uppercase()).count() * 2 > pos.len();
    let random_letter = |rng: &mut Rng, not: char| loop {
        let c = (b'a' + rng.below(26) as u8) as char;
        if c != not.to_ascii_lowercase() {
            return if upper { c.to_ascii_uppercase() } else { c };
        }
    };
    let swaps: Vec<usize> = pos
        .windows(2)
        .filter(|p| p[1] == p[0] + 1 && !chars[p[0]].eq_ignore_ascii_case(&chars[p[1]]))
        .map(|p| p[0])
        .collect();
    let mut op = rng.below(4);
    if op == 3 && swaps.is_empty() {
        op = 0;
    }
    match op {
        0 => {
            let p = *rng.pick(&pos);
            chars[p] = random_letter(rng, chars[p]);
        }
        1 => {
            // Not the first letter: a word's first letter is rarely dropped by mistake.
            let p = pos[1 + rng.below(pos.len() - 1)];
            chars.remove(p);
        }
        2 => {
            let p = pos[1 + rng.below(pos.len() - 1)];
            let c = random_letter(rng, chars[p]);
            chars.insert(p, c);
        }
        _ => {
            let p = *rng.pick(&swaps);
            chars.swap(p, p + 1);
        }
    }
    words[w] = chars.into_iter().collect();
    words.join(" ")
}

/// "SURNAME, Given Middle" (people) or the words reversed; for organisations the words
/// reversed with the legal form kept whole, at either end ("Megacom LLC" → "LLC Megacom").
pub(crate) fn token_swap(rng: &mut Rng, name: &str, person: bool) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    if !person {
        let (lead, mut core, trail) = split_form(name);
        let parts = if core.len() >= 2 {
            core.reverse();
            [lead, core, trail]
        } else if !lead.is_empty() || !trail.is_empty() {
            // One word: the legal form moves to the other end.
            [trail, core, lead]
        } else {
            return None;
        };
        return Some(parts.concat().join(" "));
    }
    Some(if !name.contains(',') && rng.chance(0.5) {
        let last = words[words.len() - 1];
        format!(
            "{}, {}",
            last.to_uppercase(),
            words[..words.len() - 1].join(" ")
        )
    } else {
        let mut reversed: Vec<String> = words
            .iter()
            .map(|w| w.trim_matches(',').to_owned())
            .collect();
        reversed.reverse();
        reversed.join(" ")
    })
}

/// Spelling changes another transliteration of the same name would make: name variants,
/// `Abdul` ↔ `Abd al-`, `al-` ↔ `el-` wherever they occur, and about every other word one
/// letter-level change (ou ↔ u, ee ↔ i, y ↔ i, ph → f, kh ↔ h, q ↔ k, doubled ↔ single); if
/// nothing applies, a vowel change.
pub(crate) fn translit(rng: &mut Rng, name: &str) -> String {
    let mut words: Vec<String> = name.split_whitespace().map(str::to_owned).collect();
    let mut changed = abd_variant(&mut words);
    for w in words.iter_mut() {
        // Legal forms and acronyms are not transliterated.
        if is_form(w) || (letters(w) < 3 && al_el(w).is_none()) {
            continue;
        }
        if let Some(v) = group_variant(rng, w).or_else(|| al_el(w)) {
            *w = v;
            changed = true;
        } else if rng.chance(0.5) {
            if let Some(v) = letter_variant(rng, w) {
                *w = v;
                changed = true;
            }
        }
    }
    if !changed {
        let open: Vec<usize> = (0..words.len())
            .filter(|&i| !is_form(&words[i]) && letters(&words[i]) >= 3)
            .filter(|&i| !letter_edits(&words[i].to_lowercase()).is_empty())
            .collect();
        if !open.is_empty() {
            let i = *rng.pick(&open);
            if let Some(v) = letter_variant(rng, &words[i]) {
                words[i] = v;
            }
        } else {
            vowel_change(rng, &mut words);
        }
    }
    words.join(" ")
}

/// `Abdul Rahman` → `Abd al-Rahman`, `Abdulrahman` → `Abd al-Rahman`, and back.
pub(crate) fn abd_variant(words: &mut Vec<String>) -> bool {
    for i in 0..words.len() {
        let lower = words[i].to_lowercase();
        let al = recase(&words[i], "al-");
        if matches!(lower.as_str(), "abdul" | "abdel" | "abdoul") && i + 1 < words.len() {
            words[i] = recase(&words[i], "abd");
            words[i + 1] = format!("{al}{}", words[i + 1]);
            return true;
        }
        if lower == "abd" && i + 1 < words.len() {
            let next = words[i + 1].to_lowercase();
            if next == "al" || next == "el" {
                words[i] = recase(&words[i], "abdul");
                words.remove(i + 1);
                return true;
            }
            if next.starts_with("al-") || next.starts_with("el-") {
                words[i] = recase(&words[i], "abdul");
                words[i + 1] = words[i + 1][3..].to_owned();
                return true;
            }
        }
        for prefix in ["abdul", "abdel"] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                if rest.len() >= 4 && rest.chars().all(|c| c.is_ascii_alphabetic()) {
                    let head = recase(&words[i], "abd");
                    let tail = recase(&words[i], rest);
                    words[i] = head;
                    words.insert(i + 1, format!("{al}{tail}"));
                    return true;
                }
            }
        }
    }
    false
}

/// Another spelling from [`NAME_GROUPS`] for a word (or a hyphenated part of it).
pub(crate) fn group_variant(rng: &mut Rng, word: &str) -> Option<String> {
    let parts: Vec<&str> = word.split('-').collect();
    for (i, part) in parts.iter().enumerate() {
        let lower = part.to_lowercase();
        if let Some(group) = NAME_GROUPS.iter().find(|g| g.contains(&lower.as_str())) {
            let others: Vec<&str> = group
                .iter()
                .copied()
                .filter(|o| *o != lower.as_str())
                .collect();
            let mut out: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
            out[i] = recase(part, rng.pick::<&str>(&others));
            return Some(out.join("-"));
        }
    }
    None
}

/// `al-` ↔ `el-` (and a lone `al` ↔ `el`).
pub(crate) fn al_el(word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    let swap = |c: char| match c {
        'a' => 'e',
        'A' => 'E',
        'e' => 'a',
        _ => 'A',
    };
    let is_article =
        ["al-", "el-"].iter().any(|p| lower.starts_with(p)) || lower == "al" || lower == "el";
    is_article.then(|| {
        let mut chars = word.chars();
        let first = chars.next().map(swap).unwrap_or('a');
        std::iter::once(first).chain(chars).collect()
    })
}

/// Letter-level transliteration changes possible in a lower-case word: (start, end, new).
pub(crate) fn letter_edits(s: &str) -> Vec<(usize, usize, String)> {
    let b = s.as_bytes();
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let consonant = |c: u8| c.is_ascii_lowercase() && !vowel(c);
    let mut out = Vec::new();
    for i in 0..b.len() {
        let c = b[i];
        let prev = if i > 0 { b[i - 1] } else { 0 };
        let next = b.get(i + 1).copied().unwrap_or(0);
        let mut add = |len: usize, new: &str| out.push((i, i + len, new.to_owned()));
        if c == b'o' && next == b'u' {
            add(2, "u");
        }
        if c == b'u' && consonant(prev) && prev != b'q' && next != b'u' {
            add(1, "ou");
        }
        if c == b'e' && next == b'e' {
            add(2, "i");
        }
        if c == b'i' && consonant(prev) && consonant(next) {
            add(1, "ee");
        }
        if c == b'y' && prev.is_ascii_lowercase() {
            add(1, "i");
        }
        if c == b'i' && consonant(prev) && next == 0 {
            add(1, "y");
        }
        if c == b'p' && next == b'h' {
            add(2, "f");
        }
        if c == b'k' && next == b'h' {
            add(2, "h");
        }
        if c == b'h' && i == 0 && vowel(next) {
            add(1, "kh");
        }
        if c == b'q' {
            add(1, "k");
        }
        if c == b'k' && next != b'h' && matches!(next, b'a' | b'o' | b'u') {
            add(1, "q");
        }
        if c.is_ascii_lowercase() && c == next && c != prev {
            add(2, &(c as char).to_string());
        }
        if consonant(c) && c != b'h' && vowel(prev) && vowel(next) {
            add(1, &(c as char).to_string().repeat(2));
        }
    }
    out
}

pub(crate) fn letter_variant(rng: &mut Rng, word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    if !lower.is_ascii() {
        return None;
    }
    let edits = letter_edits(&lower);
    if edits.is_empty() {
        return None;
    }
    let (start, end, new) = rng.pick(&edits);
    let changed = format!("{}{new}{}", &lower[..*start], &lower[*end..]);
    Some(recase(word, &changed))
}

/// One vowel of one word changed (a ↔ e, i → e, o ↔ u).
pub(crate) fn vowel_change(rng: &mut Rng, words: &mut [String]) {
    let open: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].is_ascii() && letters(&words[i]) >= 3 && !is_form(&words[i]))
        .filter(|&i| words[i][1..].chars().any(|c| "aeiouAEIOU".contains(c)))
        .collect();
    let Some(&i) = (!open.is_empty()).then(|| rng.pick(&open)) else {
        return;
    };
    let lower = words[i].to_lowercase();
    let vowels: Vec<usize> = lower
        .char_indices()
        .skip(1)
        .filter(|(_, c)| "aeiou".contains(*c))
        .map(|(p, _)| p)
        .collect();
    let p = *rng.pick(&vowels);
    let new = match &lower[p..p + 1] {
        "a" => "e",
        "e" => "a",
        "i" => "e",
        "o" => "u",
        _ => "o",
    };
    let changed = format!("{}{new}{}", &lower[..p], &lower[p + 1..]);
    words[i] = recase(&words[i], &changed);
}

pub(crate) fn is_form(word: &str) -> bool {
    FORM_WORDS.contains(&word_key(word).as_str())
}

/// An entity name split into its leading legal form, its other words and its trailing legal
/// form ("Acme Co., Ltd."; "OOO Romashka"; "Joint Stock Company NTV Broadcasting Company"). A
/// form stands first only when it is a leading form or several form words.
pub(crate) fn split_form(name: &str) -> (Vec<&str>, Vec<&str>, Vec<&str>) {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut lead = words.iter().take_while(|w| is_form(w)).count();
    let leading_form =
        lead > 1 || (lead == 1 && LEADING_FORMS.contains(&word_key(words[0]).as_str()));
    if !leading_form || lead >= words.len() {
        lead = 0;
    }
    let rest = &words[lead..];
    let mut trail = rest.iter().rev().take_while(|w| is_form(w)).count();
    if trail >= rest.len() {
        trail = 0;
    }
    let mut core = rest[..rest.len() - trail].to_vec();
    if let Some(last) = core.last_mut() {
        *last = last.trim_end_matches(',');
    }
    (
        words[..lead].to_vec(),
        core,
        rest[rest.len() - trail..].to_vec(),
    )
}

/// Legal form removed or swapped when the name has one, added when it has none.
pub(crate) fn legal_form(rng: &mut Rng, name: &str) -> Option<String> {
    let (lead, core, trail) = split_form(name);
    let core = core.join(" ");
    if core.is_empty() {
        return None;
    }
    let (lead, trail) = (lead.join(" "), trail.join(" "));
    let old = if trail.is_empty() { &lead } else { &trail };
    let add = |rng: &mut Rng| loop {
        let form = rng.pick(ADD_FORMS);
        if word_key(form) != word_key(old) {
            return *form;
        }
    };
    let join = |parts: &[&str]| {
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    Some(if old.is_empty() {
        let form = add(rng);
        match rng.below(3) {
            0 => format!("{core}, {form}"),
            1 if form == "OOO" => format!("OOO {core}"),
            _ => format!("{core} {form}"),
        }
    } else if rng.chance(0.5) {
        core
    } else if trail.is_empty() {
        // The form is swapped where it stood.
        join(&[add(rng), &core])
    } else {
        join(&[&lead, &core, add(rng)])
    })
}

/// A Latin name written in Cyrillic with a simple reverse table (the way a Russian document
/// would spell it, roughly).
pub(crate) fn cyrillic(name: &str) -> String {
    const DIGRAPHS: &[(&str, &str)] = &[
        ("shch", "щ"),
        ("kh", "х"),
        ("zh", "ж"),
        ("ch", "ч"),
        ("sh", "ш"),
        ("ts", "ц"),
        ("th", "т"),
        ("dh", "д"),
        ("gh", "г"),
        ("ph", "ф"),
        ("ck", "к"),
        ("ya", "я"),
        ("yu", "ю"),
        ("yo", "ё"),
        ("ye", "е"),
        ("ee", "и"),
        ("oo", "у"),
        ("ou", "у"),
    ];
    let single = |c: char| match c {
        'a' => "а",
        'b' => "б",
        'c' | 'k' | 'q' => "к",
        'd' => "д",
        'e' => "е",
        'f' => "ф",
        'g' => "г",
        'h' => "х",
        'i' => "и",
        'j' => "дж",
        'l' => "л",
        'm' => "м",
        'n' => "н",
        'o' => "о",
        'p' => "п",
        'r' => "р",
        's' => "с",
        't' => "т",
        'u' => "у",
        'v' | 'w' => "в",
        'x' => "кс",
        'z' => "з",
        '-' => "-",
        _ => "",
    };
    let mut words = Vec::new();
    for word in name.split_whitespace() {
        let lower = word.to_lowercase();
        let mut out = String::new();
        let mut i = 0;
        while i < lower.len() {
            let rest = &lower[i..];
            if let Some((latin, cyr)) = DIGRAPHS.iter().find(|(l, _)| rest.starts_with(l)) {
                out.push_str(cyr);
                i += latin.len();
                continue;
            }
            let c = rest.chars().next().unwrap_or(' ');
            if c == 'y' {
                // й after a vowel or at the end, ы after a consonant, и at the start.
                let prev = lower[..i].chars().last();
                let after_vowel = prev.is_some_and(|p| "aeiou".contains(p));
                out.push_str(if after_vowel || i + 1 == lower.len() {
                    "й"
                } else if prev.is_some() {
                    "ы"
                } else {
                    "и"
                });
            } else {
                out.push_str(single(c));
            }
            i += c.len_utf8();
        }
        words.push(capitalise(&out));
    }
    words.join(" ")
}
