DROP TABLE disclosure_attachments;
DROP TABLE dissent_attachments;
