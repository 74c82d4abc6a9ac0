//! The demo's supporting documents: small but real PDFs (one page of text, offsets computed so
//! any reader opens them), an end-user undertaking on most applications and a specification
//! on some; caseworkers ask for a specification on a few open cases.
use probity_domain::{ApplicationInput, CaseId, PartyRole, Upload};
use rand::rngs::StdRng;
use rand::Rng;

use crate::auth::Actor;
use crate::supporting_documents::{self as docs, NewUpload};
use crate::{Ctx, ServiceResult};

/// A one-page PDF 1.4 showing `lines` in Helvetica.
pub(super) fn pdf(lines: &[String]) -> Vec<u8> {
    let escape = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect::<String>()
    };
    let mut text = String::from("BT /F1 11 Tf 56 780 Td 15 TL\n");
    for l in lines {
        text.push_str(&format!("({}) '\n", escape(l)));
    }
    text.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn undertaking(input: &ApplicationInput) -> Vec<u8> {
    let end_user = input
        .parties
        .iter()
        .find(|p| p.role == PartyRole::EndUser)
        .map_or("the end user", |p| p.name.as_str());
    let mut lines = vec![
        "END-USER UNDERTAKING".to_string(),
        String::new(),
        format!("We, {end_user}, are the end user of the goods below."),
        "They will be used only for the purpose stated, and will not be re-exported,".into(),
        "transferred or used in weapons of mass destruction without UK consent.".into(),
        String::new(),
    ];
    for g in &input.goods {
        lines.push(format!("- {} x {} {}", g.quantity, g.unit, g.description));
    }
    lines.extend([
        String::new(),
        "Signed for the end user, with official stamp.".into(),
    ]);
    pdf(&lines)
}

fn specification(input: &ApplicationInput) -> Vec<u8> {
    let mut lines = vec!["TECHNICAL SPECIFICATION".to_string(), String::new()];
    for g in &input.goods {
        lines.push(format!(
            "{} (rated {})",
            g.description,
            g.ratings.join(", ")
        ));
        lines.push("  Performance data as tested by the manufacturer; see ratings above.".into());
    }
    pdf(&lines)
}

fn file(kind: &str, name: &str, bytes: Vec<u8>) -> NewUpload {
    NewUpload {
        document_kind: kind.into(),
        request: None,
        file: Some(Upload {
            name: name.into(),
            bytes,
        }),
    }
}

/// Documents given with a submitted application: most carry an undertaking, some a
/// specification too.
pub(super) async fn give(
    ctx: &Ctx,
    exporter: &Actor,
    id: CaseId,
    input: &ApplicationInput,
    rng: &mut StdRng,
) -> ServiceResult<()> {
    if rng.gen_bool(0.8) {
        let eud = file(
            "end_user_undertaking",
            "end-user-undertaking.pdf",
            undertaking(input),
        );
        docs::upload(ctx, exporter, id, eud).await?;
    }
    if rng.gen_bool(0.3) {
        let spec = file(
            "technical_specification",
            "specification.pdf",
            specification(input),
        );
        docs::upload(ctx, exporter, id, spec).await?;
    }
    Ok(())
}

/// A caseworker asks for the specification; the exporter answers when `answered`.
pub(super) async fn ask_and_answer(
    ctx: &Ctx,
    caseworker: &Actor,
    exporter: &Actor,
    id: CaseId,
    input: &ApplicationInput,
    answered: bool,
) -> ServiceResult<()> {
    let asked = docs::request(
        ctx,
        caseworker,
        id,
        "technical_specification",
        "Please send the manufacturer's data sheet showing the performance that decides the rating.",
    )
    .await?;
    if answered {
        let spec = NewUpload {
            request: Some(asked),
            ..file("", "data-sheet.pdf", specification(input))
        };
        docs::upload(ctx, exporter, id, spec).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_is_well_formed_with_a_true_cross_reference_table() {
        let bytes = pdf(&["Hello (world)".to_string()]);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        assert!(text.contains(r"(Hello \(world\)) '"));
        // Every offset in the table points at its object.
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[xref_at..].starts_with("xref\n"));
        for (i, line) in text[xref_at..].lines().skip(3).take(5).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(
                text[offset..].starts_with(&format!("{} 0 obj", i + 1)),
                "object {}",
                i + 1
            );
        }
        // The stream's length is what it holds.
        let after = text.split_once(">>\nstream\n").unwrap().1;
        let stream = after.split_once("\nendstream").unwrap().0;
        assert!(
            text.contains(&format!("/Length {}", stream.len())),
            "{stream:?} in {text}"
        );
        // Accepted as a PDF by the attachment check.
        probity_domain::check_attachment(
            "f",
            Upload {
                name: "x.pdf".into(),
                bytes,
            },
        )
        .unwrap();
    }
}
