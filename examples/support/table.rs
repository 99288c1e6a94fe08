//! A small table of figures on stdout.

use comfy_table::{presets, CellAlignment, Table};

/// Prints `rows` under `header`, numbers aligned right.
pub fn print(title: &str, header: &[&str], rows: Vec<Vec<String>>) {
    let mut table = Table::new();
    table
        .load_preset(presets::ASCII_MARKDOWN)
        .set_header(header);
    for row in rows {
        table.add_row(row);
    }
    for index in 1..header.len() {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    println!("\n{title}\n\n{table}");
}
