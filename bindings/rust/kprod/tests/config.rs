//! Configuration errors: kprod::Error values that name the property.
//! kprod_new connects in the background, so these need no broker.

use kprod::{ErrorCode, ProducerConfig};

fn create(properties: &[(&str, &str)]) -> kprod::Error {
    let mut config = ProducerConfig::new();
    config.set("bootstrap.servers", "127.0.0.1:9");
    for (name, value) in properties {
        config.set(*name, *value);
    }
    config
        .create()
        .expect_err("the configuration should be refused")
}

#[test]
fn an_unknown_property_is_named() {
    let error = create(&[("lniger.ms", "5")]);
    assert_eq!(error.code(), ErrorCode::UnknownProperty);
    assert!(error.to_string().contains("lniger.ms"), "{error}");
}

#[test]
fn a_bad_value_names_the_property_and_the_value() {
    let error = create(&[("acks", "most")]);
    assert_eq!(error.code(), ErrorCode::InvalidValue);
    assert!(error.to_string().contains("acks"), "{error}");
    assert!(error.to_string().contains("most"), "{error}");
    let error = create(&[("linger.ms", "-1")]);
    assert_eq!(error.code(), ErrorCode::InvalidValue);
    assert!(error.to_string().contains("linger.ms"), "{error}");
}

#[test]
fn contradicting_properties_name_both() {
    let error = create(&[("enable.idempotence", "true"), ("acks", "1")]);
    assert_eq!(error.code(), ErrorCode::InvalidConfig);
    let text = error.to_string();
    assert!(
        text.contains("enable.idempotence") && text.contains("acks"),
        "{text}"
    );
}

#[test]
fn bootstrap_servers_is_required_and_checked() {
    let error = ProducerConfig::new().create().unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidConfig);
    assert!(error.to_string().contains("bootstrap.servers"), "{error}");
    let error = create(&[("bootstrap.servers", "no-port-here")]);
    assert!(error.to_string().contains("bootstrap.servers"), "{error}");
}

#[test]
fn a_nul_byte_is_refused_with_the_property_name() {
    let error = create(&[("client.id", "a\0b")]);
    assert_eq!(error.code(), ErrorCode::InvalidArg);
    assert!(error.to_string().starts_with("client.id"), "{error}");
}

#[test]
fn errors_travel_across_threads_and_boxes() {
    let error = create(&[("batch.size", "big")]);
    let boxed: Box<dyn std::error::Error + Send + Sync + 'static> = Box::new(error.clone());
    let text = std::thread::spawn(move || boxed.to_string())
        .join()
        .unwrap();
    assert_eq!(text, error.to_string());
    assert_eq!(error.message(), text);
}

#[test]
fn a_good_configuration_creates_a_producer_without_a_broker() {
    let producer = ProducerConfig::from_iter([
        ("bootstrap.servers", "127.0.0.1:9"),
        ("linger.ms", "20"),
        ("compression.type", "lz4"),
    ])
    .create()
    .unwrap();
    producer.close(std::time::Duration::from_secs(1)).unwrap();
}
