//! No module imports a module that imports it back, in any crate of the workspace.
//!
//! The rule of docs/ARCHITECTURE.md ("dependencies point down"), checked from the sources with
//! no tool beyond the test itself (the equivalent of `cargo modules dependencies --acyclic`):
//!
//! 1. the module tree of each crate comes from its files (`a.rs` / `a/mod.rs` is module `a`);
//!    inline modules (`mod tests { … }`) count as the file's module;
//! 2. every path that names an item of the same crate — in a `use` (with `{…}` groups and
//!    globs) or inline (`crate::a::f`, `super::X`, `self::b::Y`) — is resolved to the module
//!    that *defines* the item, following re-exports (`pub use b::Y` in `a` leads to `a::b`);
//! 3. the graph "module A uses an item defined in module B" must have no cycle.
//!
//! Comments, doc comments and string literals are stripped first, so paths in docs do not
//! count.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// A module path inside a crate, `[]` for the crate root.
type ModPath = Vec<String>;

/// One crate's modules: the stripped source text of each (file modules only) and the item
/// names each one defines.
struct CrateModules {
    text: BTreeMap<ModPath, String>,
    defines: BTreeMap<ModPath, BTreeSet<String>>,
    /// `use` imports of each module: local name → absolute path segments (glob imports as "*").
    imports: BTreeMap<ModPath, Vec<(String, Vec<String>)>>,
    /// Each module's own text and its inline modules' bodies.
    inline: BTreeMap<ModPath, (String, Vec<(String, String)>)>,
}

/// Removes comments, string literals and char literals (keeps lifetimes).
fn strip(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 1;
            i += 2;
            while i < b.len() && depth > 0 {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
        {
            // raw string r"…" or r#"…"#
            let mut j = i + 1;
            let mut hashes = 0;
            while j < b.len() && b[j] == '#' {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            'raw: while j < b.len() {
                if b[j] == '"' {
                    let mut k = 0;
                    while k < hashes && b.get(j + 1 + k) == Some(&'#') {
                        k += 1;
                    }
                    if k == hashes {
                        j += 1 + hashes;
                        break 'raw;
                    }
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // a char literal 'x' or '\n' / '\u{..}', else a lifetime
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The module path of a source file below `src`.
fn module_of(src: &Path, file: &Path) -> Option<ModPath> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if parts.first().map(String::as_str) == Some("bin") {
        return None;
    }
    match stem {
        "lib" | "main" if parts.is_empty() => {}
        "mod" => {}
        s => parts.push(s.to_string()),
    }
    Some(parts)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Splits a `use` tree (`a::{b, c::{d, e as f}, g::*}`) into (local name, path) pairs.
fn expand_use(tree: &str, prefix: &[String], out: &mut Vec<(String, Vec<String>)>) {
    let tree = tree.trim();
    if tree.is_empty() {
        return;
    }
    // split off a leading path up to a top-level "{"
    if let Some(open) = tree.find('{') {
        let head = tree[..open].trim().trim_end_matches("::");
        let close = tree.rfind('}').unwrap_or(tree.len());
        let inner = &tree[open + 1..close];
        let mut p = prefix.to_vec();
        p.extend(
            head.split("::")
                .filter(|s| !s.is_empty())
                .map(|s| s.trim().to_string()),
        );
        // split inner at top-level commas
        let mut depth = 0;
        let mut start = 0;
        let chars: Vec<char> = inner.chars().collect();
        for (k, &ch) in chars.iter().enumerate() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    let part: String = chars[start..k].iter().collect();
                    expand_use(&part, &p, out);
                    start = k + 1;
                }
                _ => {}
            }
        }
        let part: String = chars[start..].iter().collect();
        expand_use(&part, &p, out);
        return;
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((p, a)) => (p.trim(), Some(a.trim().to_string())),
        None => (tree, None),
    };
    let mut p = prefix.to_vec();
    p.extend(path.split("::").map(|s| s.trim().to_string()));
    let last = p.last().cloned().unwrap_or_default();
    let name = if last == "self" {
        p.pop();
        alias.unwrap_or_else(|| p.last().cloned().unwrap_or_default())
    } else {
        alias.unwrap_or(last)
    };
    out.push((name, p));
}

/// The `use` declarations of a module's text (expanded).
fn uses(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = text[i..].find("use ") {
        let at = i + pos;
        let before_ok = at == 0 || !is_ident(bytes[at - 1] as char);
        i = at + 4;
        if !before_ok {
            continue;
        }
        let Some(end) = text[i..].find(';') else {
            break;
        };
        let tree: String = text[i..i + end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        expand_use(&tree, &[], &mut out);
        i += end + 1;
    }
    out
}

/// Inline paths beginning with `crate::`, `super::` or `self::` (outside `use`).
fn inline_paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if (i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':') && is_ident(chars[i]) {
            let mut j = i;
            let mut path = Vec::new();
            loop {
                let s = j;
                while j < chars.len() && is_ident(chars[j]) {
                    j += 1;
                }
                path.push(chars[s..j].iter().collect::<String>());
                if j + 2 < chars.len()
                    && chars[j] == ':'
                    && chars[j + 1] == ':'
                    && is_ident(chars[j + 2])
                {
                    j += 2;
                } else {
                    break;
                }
            }
            if path.len() > 1 && matches!(path[0].as_str(), "crate" | "super" | "self") {
                out.push(path);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Splits a module's text into its own text and the bodies of its inline modules
/// (`mod tests { … }`), each with its name.
fn split_inline(text: &str) -> (String, Vec<(String, String)>) {
    let chars: Vec<char> = text.chars().collect();
    let mut outer = String::new();
    let mut inline = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let at_word = i == 0 || !is_ident(chars[i - 1]);
        if at_word && chars[i..].starts_with(&['m', 'o', 'd', ' ']) {
            let mut j = i + 4;
            let s = j;
            while j < chars.len() && is_ident(chars[j]) {
                j += 1;
            }
            let name: String = chars[s..j].iter().collect();
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if !name.is_empty() && chars.get(j) == Some(&'{') {
                let mut depth = 0;
                let start = j + 1;
                while j < chars.len() {
                    match chars[j] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                inline.push((name, chars[start..j.min(chars.len())].iter().collect()));
                i = j + 1;
                continue;
            }
        }
        outer.push(chars[i]);
        i += 1;
    }
    (outer, inline)
}

fn defined_items(text: &str) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let words: Vec<&str> = text
        .split(|c: char| !(is_ident(c) || c == '!'))
        .filter(|w| !w.is_empty())
        .collect();
    for w in words.windows(2) {
        if matches!(
            w[0],
            "fn" | "struct"
                | "enum"
                | "trait"
                | "type"
                | "const"
                | "static"
                | "union"
                | "macro_rules!"
        ) {
            set.insert(w[1].to_string());
        }
    }
    set
}

impl CrateModules {
    fn load(src: &Path) -> Self {
        let mut files = Vec::new();
        rust_files(src, &mut files);
        let mut text = BTreeMap::new();
        for f in files {
            if let Some(m) = module_of(src, &f) {
                let t = strip(&std::fs::read_to_string(&f).unwrap());
                text.insert(m, t);
            }
        }
        let mut defines = BTreeMap::new();
        let mut imports = BTreeMap::new();
        let mut inline = BTreeMap::new();
        for (m, t) in &text {
            let (outer, bodies) = split_inline(t);
            defines.insert(m.clone(), defined_items(&outer));
            imports.insert(m.clone(), uses(&outer));
            inline.insert(m.clone(), (outer, bodies));
        }
        Self {
            text,
            defines,
            imports,
            inline,
        }
    }

    fn is_module(&self, m: &ModPath) -> bool {
        self.text.contains_key(m)
    }

    /// Turns a path written in module `from` into an absolute path, or None if it is external.
    fn absolute(&self, from: &ModPath, path: &[String]) -> Option<Vec<String>> {
        let mut base: ModPath;
        let mut rest = path;
        match path.first().map(String::as_str) {
            Some("crate") => {
                base = Vec::new();
                rest = &path[1..];
            }
            Some("self") => {
                base = from.clone();
                rest = &path[1..];
            }
            Some("super") => {
                base = from.clone();
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
            }
            Some(first) => {
                let mut child = from.clone();
                child.push(first.to_string());
                if self.is_module(&child) {
                    base = from.clone();
                } else if let Some((_, p)) = self
                    .imports
                    .get(from)
                    .and_then(|v| v.iter().find(|(n, p)| n == first && p[0] != *first))
                {
                    return self.absolute(from, p).map(|mut a| {
                        a.extend(path[1..].iter().cloned());
                        a
                    });
                } else {
                    return None;
                }
            }
            None => return None,
        }
        let mut out = base;
        out.extend(rest.iter().cloned());
        Some(out)
    }

    /// The module that defines the item an absolute path names.
    fn resolve(&self, abs: &[String], depth: usize) -> Option<ModPath> {
        let mut m: ModPath = Vec::new();
        let mut k = 0;
        while k < abs.len() {
            let mut child = m.clone();
            child.push(abs[k].clone());
            if self.is_module(&child) {
                m = child;
                k += 1;
            } else {
                break;
            }
        }
        if k == abs.len() || abs[k] == "*" || depth > 8 {
            return Some(m);
        }
        let item = &abs[k];
        if self.defines.get(&m).is_some_and(|d| d.contains(item)) {
            return Some(m);
        }
        // a re-export: follow it
        if let Some(imps) = self.imports.get(&m) {
            for (name, p) in imps {
                if name == item
                    && let Some(a) = self.absolute(&m, p)
                {
                    return self.resolve(&a, depth + 1).or(Some(m.clone()));
                }
            }
        }
        Some(m)
    }

    /// Edges "module uses an item defined in module" (no self-edges).
    fn edges(&self) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
        self.edges_with_paths()
            .into_iter()
            .map(|(m, ts)| (m, ts.into_keys().collect()))
            .collect()
    }

    /// The edges, each with one path that makes it (for the failure message).
    fn edges_with_paths(&self) -> BTreeMap<ModPath, BTreeMap<ModPath, String>> {
        let mut g: BTreeMap<ModPath, BTreeMap<ModPath, String>> = BTreeMap::new();
        for m in self.text.keys() {
            let (outer, bodies) = &self.inline[m];
            // (the module the path is written in, the path); inline modules count as `m`
            let mut paths: Vec<(ModPath, Vec<String>)> = self.imports[m]
                .iter()
                .map(|(_, p)| (m.clone(), p.clone()))
                .collect();
            paths.extend(inline_paths(outer).into_iter().map(|p| (m.clone(), p)));
            for (name, body) in bodies {
                let mut inner = m.clone();
                inner.push(name.clone());
                paths.extend(uses(body).into_iter().map(|(_, p)| (inner.clone(), p)));
                paths.extend(inline_paths(body).into_iter().map(|p| (inner.clone(), p)));
            }
            for (from, p) in paths {
                let Some(abs) = self.absolute(&from, &p) else {
                    continue;
                };
                if let Some(target) = self.resolve(&abs, 0)
                    && &target != m
                {
                    g.entry(m.clone())
                        .or_default()
                        .entry(target)
                        .or_insert_with(|| p.join("::"));
                }
            }
        }
        g
    }
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(g: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct T<'a> {
        g: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: HashMap<&'a ModPath, usize>,
        low: HashMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on: BTreeSet<&'a ModPath>,
        next: usize,
        out: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a ModPath) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        if let Some(ws) = t.g.get(v) {
            for w in ws {
                if !t.index.contains_key(w) {
                    visit(t, w);
                    let lw = t.low[w];
                    let lv = t.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if t.on.contains(w) {
                    let iw = t.index[w];
                    let lv = t.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    let nodes: Vec<&ModPath> = g.keys().collect();
    for v in nodes {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

fn name(m: &ModPath) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        format!("crate::{}", m.join("::"))
    }
}

const CRATES: [&str; 6] = [
    "src",
    "core/src",
    "plot/src",
    "solvers/sbl/src",
    "solvers/medida/src",
    "solvers/flame/src",
];

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut report = Vec::new();
    for dir in CRATES {
        let src = root.join(dir);
        if !src.exists() {
            continue;
        }
        let c = CrateModules::load(&src);
        assert!(c.text.len() > 1, "{dir}: found no modules");
        let g = c.edges();
        let via = c.edges_with_paths();
        for comp in cycles(&g) {
            let mut lines = vec![format!(
                "{dir}: cycle among {}",
                comp.iter().map(name).collect::<Vec<_>>().join(", ")
            )];
            for a in &comp {
                for b in g.get(a).into_iter().flatten() {
                    if comp.contains(b) {
                        lines.push(format!(
                            "    {} uses {} (e.g. `{}`)",
                            name(a),
                            name(b),
                            via[a][b]
                        ));
                    }
                }
            }
            report.push(lines.join("\n"));
        }
    }
    assert!(report.is_empty(), "module cycles:\n{}", report.join("\n"));
}

#[test]
fn the_checker_finds_a_planted_cycle() {
    // two modules that import each other, through a re-export and an inline path
    let dir = std::env::temp_dir().join(format!("parsimony-cycles-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("lib.rs"), "pub mod a;\npub mod b;\npub mod c;\n").unwrap();
    std::fs::write(
        dir.join("a/mod.rs"),
        "mod inner;\npub use inner::Thing;\n// use crate::c::C; (a comment)\nconst S: &str = \"crate::c::C\";\n",
    )
    .unwrap();
    std::fs::write(dir.join("a/inner.rs"), "pub struct Thing(crate::b::B);\n").unwrap();
    std::fs::write(dir.join("b.rs"), "use crate::a::Thing;\npub struct B;\n").unwrap();
    std::fs::write(dir.join("c.rs"), "use super::b::B;\npub struct C;\n").unwrap();
    let c = CrateModules::load(&dir);
    let g = c.edges();
    let found = cycles(&g);
    let m = |s: &str| -> ModPath { s.split("::").map(String::from).collect() };
    assert_eq!(found, vec![vec![m("a::inner"), m("b")]], "{g:?}");
    // the comment and the string do not count: a does not use c
    assert!(!g.get(&m("a")).is_some_and(|s| s.contains(&m("c"))));
    assert!(g[&m("c")].contains(&m("b")));
    std::fs::remove_dir_all(&dir).ok();
}
