DROP TRIGGER check_ins_in_turn ON check_ins;
DROP FUNCTION check_ins_in_turn();
