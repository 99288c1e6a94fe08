//! Writing replies: export rows as JSON (PHP escaping), CSV or XML; bare counts; and error
//! bodies wrapped per `returnFormat` (spec §1.5, §1.6).

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::request::Format;
use crate::common::{to_styled_vec, JsonStyle, OrderedJson};

/// One exported value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Int(i64),
    Text(String),
    /// `forms`-like maps, in instrument order.
    Map(Vec<(String, i64)>),
}

impl Cell {
    fn to_json(&self) -> OrderedJson {
        match self {
            Cell::Int(n) => Value::from(*n).into(),
            Cell::Text(s) => s.as_str().into(),
            Cell::Map(pairs) => OrderedJson::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(*v).into()))
                    .collect(),
            ),
        }
    }

    /// The flat text of CSV and XML: maps become `form_a:1,form_b:0`.
    fn flat(&self) -> String {
        match self {
            Cell::Int(n) => n.to_string(),
            Cell::Text(s) => s.clone(),
            Cell::Map(pairs) => pairs
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// One exported row, keys in wire order.
pub type Row = Vec<(&'static str, Cell)>;

/// How an export is laid out in XML.
#[derive(Clone, Copy)]
pub struct XmlShape {
    /// The root element (`users`, `userRoles`, `items`, `dags`).
    pub root: &'static str,
    /// Whether values go in CDATA (mappings and DAGs).
    pub cdata: bool,
}

/// A 200 export reply in `format`. `empty_csv_header` is the CSV body of an empty export.
pub fn export(format: Format, rows: &[Row], xml: XmlShape, empty_csv_header: &str) -> Response {
    let body = match format {
        Format::Json => {
            let items: Vec<OrderedJson> = rows
                .iter()
                .map(|row| {
                    OrderedJson::Object(
                        row.iter()
                            .map(|(k, c)| ((*k).to_owned(), c.to_json()))
                            .collect(),
                    )
                })
                .collect();
            to_styled_vec(&OrderedJson::Array(items), JsonStyle::Php)
        }
        Format::Csv => csv(rows, empty_csv_header).into_bytes(),
        Format::Xml => xml_body(rows, xml).into_bytes(),
    };
    reply(StatusCode::OK, format, body)
}

/// The CSV rules of spec §1.5: header from the first row, quoting only where needed, a TAB
/// before values a spreadsheet would run as formulas, and a trimmed body.
fn csv(rows: &[Row], empty_header: &str) -> String {
    let Some(first) = rows.first() else {
        return empty_header.to_owned();
    };
    let mut lines = vec![first
        .iter()
        .map(|(k, _)| csv_field(k))
        .collect::<Vec<_>>()
        .join(",")];
    for row in rows {
        lines.push(
            row.iter()
                .map(|(_, cell)| csv_field(&cell.flat()))
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    lines.join("\n").trim().to_owned()
}

fn csv_field(value: &str) -> String {
    let mut value = value.to_owned();
    if value.starts_with(['=', '-', '+', '@']) {
        value.insert(0, '\t');
    }
    if value.contains([',', '"', '\\', '\r', '\n', '\t', ' ']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn xml_body(rows: &[Row], shape: XmlShape) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<{}>\n",
        shape.root
    );
    for row in rows {
        out.push_str("<item>");
        for (key, cell) in row {
            let text = cell.flat();
            if shape.cdata {
                out.push_str(&format!("<{key}><![CDATA[{text}]]></{key}>"));
            } else {
                out.push_str(&format!("<{key}>{}</{key}>", xml_escape(&text)));
            }
        }
        out.push_str("</item>\n");
    }
    out.push_str(&format!("</{}>", shape.root));
    out
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The bare decimal count of an import or delete, in every format.
pub fn count(format: Format, n: usize) -> Response {
    reply(StatusCode::OK, format, n.to_string().into_bytes())
}

/// A 200 reply with a plain text body (switch results and the empty-data answer).
pub fn plain(format: Format, text: &str) -> Response {
    reply(StatusCode::OK, format, text.as_bytes().to_vec())
}

/// An error reply, wrapped per the resolved `returnFormat`.
pub fn error(return_format: Format, status: StatusCode, message: &str) -> Response {
    let body = match return_format {
        Format::Json if message.starts_with("{\"error\"") => message.as_bytes().to_vec(),
        Format::Json => to_styled_vec(
            &OrderedJson::object().with("error", message),
            JsonStyle::Php,
        ),
        Format::Csv => format!("ERROR: {message}").into_bytes(),
        Format::Xml => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><hash><error>{}</error></hash>",
            xml_escape(message)
        )
        .into_bytes(),
    };
    reply(status, return_format, body)
}

fn reply(status: StatusCode, format: Format, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting_rules() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("form_1:1,form_2:0"), "\"form_1:1,form_2:0\"");
        assert_eq!(csv_field("Test DAG"), "\"Test DAG\"");
        assert_eq!(csv_field("=SUM(A1)"), "\"\t=SUM(A1)\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
