//! Concurrent changes to one cart through the engine: none is lost. (Eight writers: a
//! writer retries after each save another writer won, so it never needs more than the
//! engine's default eight retries.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use commerce_core::cart::CartPurpose;
use commerce_core::identity::Principal;
use commerce_core::memory::Memory;
use commerce_core::{Currency, CustomerId};
use commerce_testkit::fixtures::now;
use commerce_testkit::orders::{install, two_shops};
use tokio::sync::Barrier;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_adds_to_one_cart_are_all_kept() {
    let memory = Memory::new();
    memory.clock.set(now());
    let (store, mug, tee) = two_shops();
    install(&store, &memory.stores, 100, now()).await;
    let engine = Arc::new(memory.commerce());
    let ada = Principal::Customer(CustomerId::from_u128(1));
    let cart = engine
        .create_cart(ada, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap();
    let id = cart.id();
    let barrier = Arc::new(Barrier::new(8));
    let mut tasks = Vec::new();
    for n in 0..8 {
        let (engine, barrier) = (engine.clone(), barrier.clone());
        let item = if n % 2 == 0 { mug } else { tee };
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            engine.add_item(ada, id, item.variant, 1).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let cart = engine.cart(ada, id).await.unwrap();
    assert_eq!(cart.line(mug.variant).map(|l| l.quantity), Some(4));
    assert_eq!(cart.line(tee.variant).map(|l| l.quantity), Some(4));
    assert_eq!(cart.total_items(), 8);
}
