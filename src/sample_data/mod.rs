//! Sample data: the demo tour (`serve --demo`, `roadshow demo`) and the large generated tour of
//! the analytics benchmark (`roadshow bench-data`, `bench/analytics.sh`). Neither is a product
//! area: they only fill an empty database, the demo through the areas' services, the benchmark
//! straight into the tables. Both draw from the same name lists with the same seeded generator,
//! so that a given load always writes the same data.

pub mod bench;
pub mod demo;
mod dice;
mod names;
