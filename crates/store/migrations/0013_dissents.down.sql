DROP TABLE dissent_points;
DROP TABLE dissents;
