DROP TABLE scan_undos;
DROP TABLE check_ins;
DROP TABLE scans;
DROP TABLE devices;
