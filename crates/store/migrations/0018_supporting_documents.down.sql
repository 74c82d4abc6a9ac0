DROP TABLE supporting_documents;
DROP TABLE document_requests;
