DROP INDEX licences_by_case;
DROP TABLE notifications;
DROP TABLE review_flags;
DROP TABLE review_items;
DROP TABLE reviews;
DROP TABLE embargoes;
DROP TABLE assessments;
