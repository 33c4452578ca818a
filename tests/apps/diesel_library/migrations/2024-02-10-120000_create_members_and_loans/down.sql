-- This file should undo anything in `up.sql`
DROP TABLE returned_loans;
DROP INDEX loans_book_id_borrowed_on_idx;
DROP INDEX loans_member_id_idx;
DROP TABLE loans;
DROP INDEX members_card_number_idx;
DROP TABLE members;
