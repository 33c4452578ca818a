//! The json and jsonb operators (issue 14, point 6): `->`, `->>`, `#>`, `#>>`, `?`, `?|`,
//! `?&`, `@>` and `<@`, on columns and on literals; and the functions that change a jsonb
//! document (`jsonb_set`, `jsonb_insert`, `jsonb_strip_nulls`, `jsonb_pretty`).

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::types::Type;

async fn with_docs() -> (TestServer, tokio_postgres::Client) {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE docs (id int PRIMARY KEY, j json, b jsonb)").await;
    let doc = r#"{"a" : {"b" : 1.50}, "tags": ["x", "y"], "n": null}"#;
    client.run(&format!("INSERT INTO docs VALUES (1, '{doc}', '{doc}'), (2, '[1, 2, 3]', '[1, 2, 3]'), (3, NULL, NULL)")).await;
    (server, client)
}

#[tokio::test]
async fn arrows_read_members_elements_and_paths() {
    let (_server, client) = with_docs().await;
    assert_eq!(
        client.lines("SELECT id, j -> 'a', b -> 'a', j ->> 'tags', b -> 'tags' -> -1, b -> 'tags' ->> 0, j -> 1, b -> 5 FROM docs ORDER BY id").await,
        [
            r#"1|{"b" : 1.50}|{"b": 1.50}|["x", "y"]|"y"|x|NULL|NULL"#,
            "2|NULL|NULL|NULL|NULL|NULL|2|NULL",
            "3|NULL|NULL|NULL|NULL|NULL|NULL|NULL"
        ]
    );
    assert_eq!(
        client.lines("SELECT b #> '{a,b}', b #>> '{tags,1}', j #> '{tags,0}', b #> '{}', b -> 'n', b ->> 'n' IS NULL FROM docs WHERE id = 1").await,
        [r#"1.50|y|"x"|{"a": {"b": 1.50}, "n": null, "tags": ["x", "y"]}|null|t"#]
    );
    assert_eq!(client.lines("SELECT j -> 1, b ->> -1, b -> 'a', b #> '{1}' FROM docs WHERE id = 2").await, ["2|3|NULL|2"]);
    assert_eq!(
        client.lines(r#"SELECT '{"a": [1, {"b": "x\"y"}]}'::jsonb #>> '{a,1,b}', '{"a":1,"a":2}'::json -> 'a', '{"a":1}'::jsonb -> NULL IS NULL"#).await,
        [r#"x"y|2|t"#]
    );
    let statement = client.prepare("SELECT b -> 'a', j -> 'a', b ->> 'a', j #>> '{a}' FROM docs").await.expect("prepare");
    let types: Vec<&Type> = statement.columns().iter().map(|c| c.type_()).collect();
    assert_eq!(types, [&Type::JSONB, &Type::JSON, &Type::TEXT, &Type::TEXT]);
}

#[tokio::test]
async fn jsonb_key_and_containment_operators() {
    let (_server, client) = with_docs().await;
    assert_eq!(client.lines("SELECT id FROM docs WHERE b ? 'tags'").await, ["1"]);
    assert_eq!(client.lines("SELECT id FROM docs WHERE b ?| '{zz,a}'").await, ["1"]);
    assert_eq!(client.lines("SELECT id FROM docs WHERE b ?& array['a', 'tags', 'zz']").await, Vec::<String>::new());
    assert_eq!(client.lines(r#"SELECT id FROM docs WHERE b @> '{"a": {"b": 1.5}}'"#).await, ["1"]);
    assert_eq!(client.lines(r#"SELECT id FROM docs WHERE b @> '{"tags": ["y"]}'"#).await, ["1"]);
    assert_eq!(client.lines("SELECT id FROM docs WHERE b @> '[2]' OR '[3, 1]' <@ b").await, ["2"]);
    assert_eq!(client.lines("SELECT id FROM docs WHERE b @> b ORDER BY id").await, ["1", "2"]);
    assert_eq!(
        client.lines(r#"SELECT '["a", 1]'::jsonb ? 'a', '"a"'::jsonb ? 'a', '[1]'::jsonb ? '1', '[1, 2, [3]]'::jsonb @> '[3]', '[1, 2]'::jsonb @> '1', '1'::jsonb @> '[1]'"#).await,
        ["t|t|f|f|t|f"]
    );
    client.expect_sqlstate(r#"SELECT '{"a": 1}'::jsonb @> '{"a": '"#, "22P02").await;
}

#[tokio::test]
async fn jsonb_concatenation_and_deletion() {
    let (_server, client) = with_docs().await;
    assert_eq!(
        client.lines(r#"SELECT b || '{"n": 2, "z": true}', b - 'tags', b - '{a,n}'::text[] FROM docs WHERE id = 1"#).await,
        [r#"{"a": {"b": 1.50}, "n": 2, "z": true, "tags": ["x", "y"]}|{"a": {"b": 1.50}, "n": null}|{"tags": ["x", "y"]}"#]
    );
    assert_eq!(client.lines("SELECT b || '[4]', b - 0, b - -1, b || b FROM docs WHERE id = 2").await, ["[1, 2, 3, 4]|[2, 3]|[1, 2]|[1, 2, 3, 1, 2, 3]"]);
    assert_eq!(
        client.lines(r#"SELECT '["a", "b", 1]'::jsonb - 'a', '1'::jsonb || '2', '{"a": 1}'::jsonb || '[1]', 'x' || 'y'"#).await,
        [r#"["b", 1]|[1, 2]|[{"a": 1}, 1]|xy"#]
    );
    client.expect_error("SELECT b - 0 FROM docs WHERE id = 1", "22023", "cannot delete from object using integer index").await;
    client.expect_error(r#"SELECT '1'::jsonb - 'a'"#, "22023", "cannot delete from scalar").await;
}

#[tokio::test]
async fn json_functions_read_lengths_types_and_paths() {
    let (_server, client) = with_docs().await;
    assert_eq!(
        client.lines("SELECT id, jsonb_array_length(b -> 'tags'), json_typeof(j), jsonb_typeof(b #> '{a,b}'), jsonb_extract_path(b, 'a', 'b'), json_extract_path_text(j, 'tags', '1') FROM docs ORDER BY id").await,
        ["1|2|object|number|1.50|y", "2|NULL|array|NULL|NULL|NULL", "3|NULL|NULL|NULL|NULL|NULL"]
    );
    assert_eq!(
        client.lines(r#"SELECT json_array_length('[1, [2, 3] ]'), jsonb_typeof('null'), json_typeof('"x"'), jsonb_typeof('true'), jsonb_extract_path_text('{"a": null}', 'a') IS NULL"#).await,
        ["2|null|string|boolean|t"]
    );
    client.expect_error("SELECT jsonb_array_length('{}')", "22023", "cannot get array length of a non-array").await;
    client.expect_error("SELECT jsonb_array_length(b -> 'a' -> 'b') FROM docs WHERE id = 1", "22023", "cannot get array length of a scalar").await;
    client.expect_sqlstate("SELECT json_array_length('[1, 2')", "22P02").await;
}

#[tokio::test]
async fn jsonb_set_insert_strip_nulls_and_pretty_answer_as_postgresql() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE docs (id int PRIMARY KEY, doc jsonb)").await;
    client.run(r#"INSERT INTO docs VALUES (1, '{"a": 1, "tags": ["x", "y"], "n": null}')"#).await;
    client.run(r#"UPDATE docs SET doc = jsonb_set(doc, '{tags,1}', '"z"')"#).await;
    client.run(r#"UPDATE docs SET doc = jsonb_set(doc, ARRAY['b', 'c'], '2')"#).await;
    client.run(r#"UPDATE docs SET doc = jsonb_set(doc, '{b}', '{"c": 2}')"#).await;
    assert_eq!(client.value("SELECT doc::text FROM docs").await, r#"{"a": 1, "b": {"c": 2}, "n": null, "tags": ["x", "z"]}"#);
    assert_eq!(client.value("SELECT jsonb_strip_nulls(doc)::text FROM docs").await, r#"{"a": 1, "b": {"c": 2}, "tags": ["x", "z"]}"#);
    assert_eq!(client.value(r#"SELECT jsonb_insert(doc, '{tags,0}', '"w"')::text FROM docs"#).await, r#"{"a": 1, "b": {"c": 2}, "n": null, "tags": ["w", "x", "z"]}"#);
    assert_eq!(client.value(r#"SELECT jsonb_insert(doc, '{tags,-1}', '"w"', true)->'tags' FROM docs"#).await, r#"["x", "z", "w"]"#);
    assert_eq!(client.value("SELECT jsonb_pretty(doc->'b') FROM docs").await, "{\n    \"c\": 2\n}");
    assert_eq!(client.value("SELECT jsonb_set('[1, 2, 3]', '{-10}', '9')::text").await, "[9, 1, 2, 3]");
    assert_eq!(client.value("SELECT jsonb_set('{\"a\": 1}', '{c}', '5', false)::text").await, r#"{"a": 1}"#);
    assert_eq!(client.lines("SELECT jsonb_set(doc, '{a}', NULL) IS NULL FROM docs").await, ["t"]);
    client.expect_error("SELECT jsonb_set('[1]', '{x}', '9')", "22P02", "path element at position 1 is not an integer: \"x\"").await;
    client.expect_error("SELECT jsonb_set('5', '{x}', '9')", "22023", "cannot set path in scalar").await;
    client.expect_error("SELECT jsonb_set('{\"a\": [1]}', '{a,NULL}', '5')", "22004", "path element at position 2 is null").await;
    let e = client.error(r#"SELECT jsonb_insert('{"a": {"b": 1}}', '{a,b}', '2')"#).await;
    assert_eq!((e.code().code(), e.message()), ("22023", "cannot replace existing key"));
    assert_eq!(e.hint(), Some("Try using the function jsonb_set to replace key value."));
}
