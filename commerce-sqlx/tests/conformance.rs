//! The whole `commerce-testkit` conformance suite, on Postgres and on SQLite; every case
//! gets a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod postgres {
    async fn fresh() -> commerce_core::ports::Stores {
        commerce_sqlx::testing::postgres().await
    }

    commerce_testkit::conformance_suite!(fresh);
}

mod sqlite {
    async fn fresh() -> commerce_core::ports::Stores {
        commerce_sqlx::testing::sqlite().await
    }

    commerce_testkit::conformance_suite!(fresh);
}
