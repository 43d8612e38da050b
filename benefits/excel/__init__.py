"""Excel in and out: one workbook layout shared by the template, the export and the import."""
