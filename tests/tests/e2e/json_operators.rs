//! The json and jsonb operators (issue 14, point 6): `->`, `->>`, `#>`, `#>>`, `?`, `?|`,
//! `?&`, `@>` and `<@`, on columns and on literals.

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
