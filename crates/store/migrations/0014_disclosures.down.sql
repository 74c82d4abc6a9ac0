DROP TABLE disclosure_messages;
DROP TABLE disclosures;
