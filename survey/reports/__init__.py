"""What readers see and download: dashboards, survey results, the year-end report (DOCX,
HTML, XLSX) and the exports."""
