//! The people and companies of the sample tours, one list each, shared by the demo and the
//! benchmark data. The demo draws from them in a fixed order with a seeded generator: changing
//! a list (its order or its length) changes the demo's attendees.

pub(super) const FIRST_NAMES: &[&str] = &[
    "Claire",
    "Nicolas",
    "Sophie",
    "Julien",
    "Isabelle",
    "Thomas",
    "Nathalie",
    "Laurent",
    "Céline",
    "Philippe",
    "Sandrine",
    "Olivier",
    "Valérie",
    "Stéphane",
    "Aurélie",
    "Christophe",
    "Émilie",
    "Frédéric",
    "Camille",
    "Sébastien",
    "Hélène",
    "Mathieu",
    "Caroline",
    "Jérôme",
    "Marion",
    "Pascal",
    "Anne",
    "David",
    "Julie",
    "Éric",
];

pub(super) const LAST_NAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Schmitt",
    "Muller",
];

/// What follows a place or a brand in a reseller's name: "Lyon Réseaux", "Atlas Informatique".
pub(super) const COMPANY_STEMS: &[&str] = &[
    "Informatique",
    "Micro Services",
    "Bureautique",
    "Réseaux",
    "Systèmes",
    "Conseil Info",
    "Solutions PME",
    "Data Services",
    "Maintenance",
    "Digital",
    "Télécom",
    "Infogérance",
];

pub(super) const JOB_TITLES: &[&str] = &[
    "Gérant",
    "Technicien",
    "Ingénieur commercial",
    "Responsable technique",
    "Chef de projet",
    "Assistante commerciale",
];

/// Feedback comments heard at most stops.
pub(super) const COMMENTS: [&str; 4] = [
    "Journée utile, ateliers trop courts.",
    "Le label est une bonne idée, mais pas de leads pour les certifiés ?",
    "Très bon atelier Small Business Server.",
    "Salle trop petite pour l'atelier licences.",
];

/// Who in marketing takes complaints on.
pub(super) const OWNERS: &[&str] = &["Michel Cordani", "Bertrand Launay"];
