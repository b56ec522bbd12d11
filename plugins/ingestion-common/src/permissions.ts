// Permissions for the ingestion plugins; written by the lead (issue 4).
export {};
