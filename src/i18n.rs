//! The French/English catalogue for pages and e-mails, and how a request's language is chosen.
//!
//! A plain table rather than a translation framework: a few hundred short strings in two
//! languages, checked by a unit test that every key used in `templates/` exists in both.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::HttpRequest;

/// A language roadshow speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// French, the default: the tour is French.
    #[default]
    Fr,
    /// English.
    En,
}

/// Name of the cookie that remembers a visitor's choice of language.
pub const LANG_COOKIE: &str = "lang";

impl Locale {
    /// Parses `fr`, `en`, `fr-FR`, `en-GB`…; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        let primary = raw.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Self::Fr),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// A title quoted the way the language quotes: « Cloud » / “Cloud”.
    pub fn quote(self, text: &str) -> String {
        match self {
            Self::Fr => format!("«\u{a0}{text}\u{a0}»"),
            Self::En => format!("“{text}”"),
        }
    }

    /// The other language, for the language switch.
    pub fn other(self) -> Self {
        match self {
            Self::Fr => Self::En,
            Self::En => Self::Fr,
        }
    }

    /// The language a request asks for with `?lang=` (the language switch), if any.
    pub fn chosen_in(req: &HttpRequest) -> Option<Self> {
        url::form_urlencoded::parse(req.query_string().as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Self::parse(&v))
    }

    /// The language of a request: `?lang=`, then the cookie, then `Accept-Language`, then French.
    pub fn from_request(req: &HttpRequest) -> Self {
        Self::chosen_in(req)
            .or_else(|| req.cookie(LANG_COOKIE).and_then(|c| Self::parse(c.value())))
            .or_else(|| {
                let header = req
                    .headers()
                    .get(actix_web::http::header::ACCEPT_LANGUAGE)?;
                Self::from_accept_language(header.to_str().ok()?)
            })
            .unwrap_or_default()
    }

    /// The first supported language in an `Accept-Language` header, by weight.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut candidates: Vec<(f32, Self)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let locale = Self::parse(pieces.next()?)?;
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q=")?.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((weight, locale))
            })
            .collect();
        // Stable sort keeps header order among equal weights.
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        candidates.first().map(|c| c.1)
    }

    /// The text for `key`, if the catalogue has it.
    pub fn find(self, key: &str) -> Option<&'static str> {
        CATALOGUE.get(key).map(|[fr, en]| match self {
            Self::Fr => *fr,
            Self::En => *en,
        })
    }

    /// The text for `key`; a missing key shows itself so that it is noticed, never a panic.
    pub fn t(self, key: &str) -> &str {
        match CATALOGUE.get(key) {
            Some([fr, en]) => match self {
                Self::Fr => fr,
                Self::En => en,
            },
            None => key,
        }
    }
}

static CATALOGUE: LazyLock<HashMap<&'static str, [&'static str; 2]>> =
    LazyLock::new(|| ENTRIES.iter().map(|(k, fr, en)| (*k, [*fr, *en])).collect());

/// Every entry of the catalogue, `(key, French, English)`: for the test that looks for one
/// language's words in the other's pages.
pub fn catalogue() -> &'static [(&'static str, &'static str, &'static str)] {
    ENTRIES
}

/// `(key, French, English)`.
const ENTRIES: &[(&str, &str, &str)] = &[
    // layout
    ("app.name", "Roadshow", "Roadshow"),
    ("nav.admin", "Administration", "Administration"),
    ("nav.login", "Connexion", "Log in"),
    ("nav.logout", "Déconnexion", "Log out"),
    ("nav.skip", "Aller au contenu", "Skip to content"),
    ("nav.language", "English", "Français"),
    ("nav.signed_in_as", "Connecté·e :", "Signed in as"),
    // login
    ("login.title", "Connexion", "Log in"),
    ("login.email", "E-mail", "Email"),
    ("login.password", "Mot de passe", "Password"),
    ("login.submit", "Se connecter", "Log in"),
    (
        "login.failed",
        "E-mail ou mot de passe incorrect",
        "wrong email or password",
    ),
    (
        "login.intro",
        "Espace réservé à l'équipe de la tournée.",
        "For the tour's team only.",
    ),
    // roles
    ("role.admin", "administrateur", "admin"),
    ("role.marketing", "marketing", "marketing"),
    ("role.staff", "accueil", "staff"),
    // admin: tours
    ("tours.title", "Tournées", "Tours"),
    (
        "tours.none",
        "Aucune tournée pour l'instant.",
        "No tour yet.",
    ),
    ("tours.new", "Nouvelle tournée", "New tour"),
    ("tours.edit", "Modifier la tournée", "Edit tour"),
    ("tours.name", "Nom", "Name"),
    ("tours.slug", "Identifiant d'URL", "URL slug"),
    (
        "tours.slug_hint",
        "lettres minuscules, chiffres et tirets ; vide = déduit du nom",
        "lower-case letters, digits and dashes; empty = made from the name",
    ),
    ("tours.description", "Description", "Description"),
    (
        "tours.default_locale",
        "Langue par défaut",
        "Default language",
    ),
    (
        "tours.target",
        "Objectif de certifications commencées",
        "Target: certifications started",
    ),
    (
        "tours.target_hint",
        "vide = pas d'objectif",
        "empty = no target",
    ),
    ("tours.targets", "Objectifs", "Targets"),
    ("tours.stops", "Étapes", "Stops"),
    ("tours.create", "Créer la tournée", "Create tour"),
    ("tours.save", "Enregistrer", "Save"),
    (
        "tours.public_page",
        "Page publique (API)",
        "Public page (API)",
    ),
    // admin: stops
    ("stops.add", "Ajouter une étape", "Add a stop"),
    ("stops.new", "Nouvelle étape", "New stop"),
    ("stops.edit", "Modifier l'étape", "Edit stop"),
    ("stops.none", "Aucune étape pour l'instant.", "No stop yet."),
    ("stops.date", "Date", "Date"),
    ("stops.city", "Ville", "City"),
    ("stops.venue", "Lieu", "Venue"),
    ("stops.address", "Adresse", "Address"),
    ("stops.timezone", "Fuseau horaire", "Time zone"),
    (
        "stops.timezone_hint",
        "nom IANA, par ex. Europe/Paris",
        "IANA name, e.g. Europe/Paris",
    ),
    ("stops.starts_at", "Début", "Starts at"),
    ("stops.ends_at", "Fin", "Ends at"),
    (
        "stops.local_time_hint",
        "heure locale de l'étape",
        "the stop's local time",
    ),
    ("stops.capacity", "Capacité", "Capacity"),
    (
        "stops.registration_closes_at",
        "Clôture des inscriptions",
        "Registration closes at",
    ),
    (
        "stops.registration_closes_hint",
        "vide = à la fin de l'étape",
        "empty = when the stop ends",
    ),
    ("stops.create", "Créer l'étape", "Create stop"),
    ("stops.save", "Enregistrer", "Save"),
    ("stops.workshops", "Ateliers", "Workshops"),
    ("stops.checkpoints", "Points de contrôle", "Checkpoints"),
    ("stops.seats", "places", "seats"),
    ("stops.registration", "Inscriptions", "Registration"),
    ("stops.registrations", "Inscrits", "Registrations"),
    ("stops.registration_open", "ouvertes", "open"),
    ("stops.registration_closed", "closes", "closed"),
    (
        "stops.back_to_tour",
        "Retour à la tournée",
        "Back to the tour",
    ),
    // admin: workshops
    ("workshops.add", "Ajouter un atelier", "Add a workshop"),
    ("workshops.new", "Nouvel atelier", "New workshop"),
    ("workshops.edit", "Modifier l'atelier", "Edit workshop"),
    (
        "workshops.none",
        "Aucun atelier pour l'instant.",
        "No workshop yet.",
    ),
    ("workshops.title", "Titre", "Title"),
    ("tours.draft", "brouillon", "draft"),
    ("admin.delete", "Supprimer", "Delete"),
    (
        "admin.delete_confirm",
        "Oui, supprimer définitivement (seulement si personne ne s'est inscrit)",
        "Yes, delete for good (only if nobody registered)",
    ),
    (
        "v.confirm_delete",
        "cochez la case pour confirmer la suppression",
        "tick the box to confirm the deletion",
    ),
    (
        "tours.published",
        "Publiée\u{a0}: visible du public, inscriptions ouvertes",
        "Published: public, open for registration",
    ),
    (
        "tours.published_hint",
        "Une tournée non publiée reste un brouillon que seuls les administrateurs voient.",
        "A tour not published stays a draft that only admins see.",
    ),
    (
        "workshops.label_flag",
        "label Spécialiste",
        "Specialist label",
    ),
    ("workshops.room", "Salle", "Room"),
    ("workshops.trainer", "Formateur", "Trainer"),
    ("workshops.time", "Horaire", "Time"),
    ("workshops.create", "Créer l'atelier", "Create workshop"),
    ("workshops.save", "Enregistrer", "Save"),
    ("checkpoint.entrance", "Accueil", "Entrance"),
    ("checkpoint.workshop", "Atelier", "Workshop"),
    // forms
    (
        "form.errors",
        "Certains champs sont à corriger.",
        "Some fields need fixing.",
    ),
    ("form.saved", "Enregistré.", "Saved."),
    ("form.edit", "Modifier", "Edit"),
    ("form.optional", "facultatif", "optional"),
    (
        "form.required_hint",
        "Les champs marqués * sont obligatoires.",
        "Fields marked * are required.",
    ),
    // errors
    ("error.title", "Erreur", "Error"),
    (
        "error.not-found",
        "Cette page n'existe pas.",
        "This page does not exist.",
    ),
    (
        "error.forbidden",
        "Votre rôle ne permet pas cette action.",
        "Your role may not do this.",
    ),
    (
        "error.unauthorized",
        "Veuillez vous connecter.",
        "Please log in.",
    ),
    (
        "error.bad-request",
        "La requête est mal formée.",
        "The request is malformed.",
    ),
    (
        "error.conflict",
        "Cette action entre en conflit avec les données existantes.",
        "This conflicts with what is already stored.",
    ),
    (
        "error.invalid-fields",
        "Certains champs sont invalides.",
        "Some fields are invalid.",
    ),
    (
        "error.payload-too-large",
        "Le formulaire envoyé est trop volumineux.",
        "What you sent is too large.",
    ),
    (
        "error.rate-limited",
        "Trop de requêtes : réessayez dans une minute.",
        "Too many requests: try again in a minute.",
    ),
    (
        "error.unavailable",
        "Service momentanément indisponible.",
        "The service is temporarily unavailable.",
    ),
    (
        "error.internal",
        "Une erreur inattendue s'est produite ; elle a été enregistrée.",
        "Something unexpected went wrong; it has been logged.",
    ),
    (
        "error.csrf",
        "Le formulaire a expiré : rechargez la page et réessayez.",
        "The form expired: reload the page and try again.",
    ),
    (
        "error.back_home",
        "Retour à l'accueil",
        "Back to the home page",
    ),
    // validation messages (field level)
    ("v.required", "obligatoire", "is required"),
    (
        "v.resolution_required",
        "obligatoire pour résoudre une réclamation",
        "is required to resolve a complaint",
    ),
    ("punct.colon", "\u{a0}:", ":"),
    (
        "complaint.raised_in_feedback",
        "Signalé dans l'avis\u{a0}:",
        "Raised in feedback:",
    ),
    (
        "complaint.actor.feedback",
        "formulaire d'avis",
        "feedback form",
    ),
    ("v.too_long", "trop long", "is too long"),
    ("v.url", "n'est pas une adresse web", "is not a URL"),
    (
        "v.url_too_long",
        "dépasse 2 000 caractères",
        "is longer than 2,000 characters",
    ),
    (
        "v.url_scheme",
        "doit commencer par http:// ou https://",
        "must be an http or https URL",
    ),
    (
        "v.url_credentials",
        "ne peut pas contenir d'identifiant ni de mot de passe",
        "may not carry a user name or password",
    ),
    ("v.url_host", "doit nommer un serveur", "must name a host"),
    (
        "v.url_private",
        "est une adresse locale ou privée",
        "is a loopback or private address",
    ),
    (
        "v.webhook_secret",
        "doit être whsec_ suivi du base64 d'une clé de 24 à 64 octets",
        "must be whsec_ followed by the base64 of 24 to 64 bytes",
    ),
    (
        "v.control_chars",
        "contient des caractères de contrôle (saut de ligne, tabulation…)",
        "contains control characters (line break, tab…)",
    ),
    ("v.too_many", "trop d'éléments", "has too many items"),
    (
        "v.positive",
        "doit être un entier positif",
        "must be a positive whole number",
    ),
    (
        "v.timezone",
        "fuseau horaire inconnu (nom IANA, ex. Europe/Paris)",
        "unknown time zone (IANA name, e.g. Europe/Paris)",
    ),
    (
        "v.datetime",
        "date et heure invalides",
        "invalid date and time",
    ),
    (
        "v.after_start",
        "doit être après le début",
        "must be after the start",
    ),
    (
        "v.before_end",
        "doit être avant la fin de l'étape",
        "must be before the stop ends",
    ),
    (
        "v.slug",
        "lettres minuscules, chiffres et tirets seulement",
        "lower-case letters, digits and dashes only",
    ),
    (
        "v.slug_taken",
        "déjà utilisé par une autre tournée",
        "is already used by another tour",
    ),
    ("v.locale", "fr ou en", "fr or en"),
    (
        "v.within_stop",
        "doit être pendant l'étape",
        "must be within the stop's day",
    ),
    (
        "v.gap",
        "heure inexistante ce jour-là (changement d'heure)",
        "this local time does not exist that day (clock change)",
    ),
    // public pages
    ("public.open", "Inscriptions ouvertes", "Registration open"),
    (
        "public.full",
        "Complet : liste d'attente",
        "Full: waiting list",
    ),
    (
        "public.closed",
        "Inscriptions closes",
        "Registration closed",
    ),
    ("public.register", "S'inscrire", "Register"),
    ("badge.print", "Imprimer le badge", "Print the badge"),
    (
        "public.join_waitlist",
        "M'inscrire sur la liste d'attente",
        "Join the waiting list",
    ),
    (
        "manage.place_in_line",
        "Votre place dans la file d'attente :",
        "Your place in the waiting line:",
    ),
    (
        "manage.waiting_hint",
        "Nous vous écrirons dès qu'une place se libère pour vous.",
        "We will write as soon as a seat frees up for you.",
    ),
    (
        "manage.cancel_text_waitlisted",
        "Vous quitterez la liste d'attente ; les personnes derrière vous avanceront.",
        "You will leave the waiting list; those behind you move up.",
    ),
    (
        "public.programme",
        "Programme de la journée",
        "Programme of the day",
    ),
    ("stops.seats_left", "places restantes", "seats left"),
    ("register.first_name", "Prénom", "First name"),
    ("register.last_name", "Nom", "Last name"),
    ("register.email", "E-mail professionnel", "Work email"),
    ("register.company", "Société", "Company"),
    ("register.job_title", "Fonction", "Job title"),
    (
        "register.company_size",
        "Taille de votre société",
        "Size of your company",
    ),
    ("register.employees", "salariés", "employees"),
    (
        "register.partner_id",
        "Numéro de partenaire",
        "Partner number",
    ),
    (
        "register.locale",
        "Langue des e-mails",
        "Language of e-mails",
    ),
    ("register.workshops", "Ateliers", "Workshops"),
    (
        "register.workshops_hint",
        "Un atelier au plus par créneau horaire.",
        "At most one workshop per time slot.",
    ),
    (
        "register.no_workshop",
        "Pas d'atelier sur ce créneau",
        "No workshop in this slot",
    ),
    (
        "register.waitlist_only",
        "complet, liste d'attente",
        "full, waiting list",
    ),
    (
        "register.consent",
        "J'accepte que mes données servent à organiser cette journée et à m'en écrire (obligatoire).",
        "I agree that my data is used to run this event and to write to me about it (required).",
    ),
    ("register.submit", "Je m'inscris", "Register"),
    (
        "register.full_notice",
        "L'étape est complète : votre inscription sera placée sur la liste d'attente.",
        "This stop is full: your registration will go on the waiting list.",
    ),
    (
        "register.already",
        "Cette adresse est déjà inscrite à cette étape.",
        "This address is already registered for this stop.",
    ),
    (
        "register.resend",
        "Recevoir à nouveau l'e-mail de confirmation",
        "Send me the confirmation e-mail again",
    ),
    (
        "register.resent",
        "Si cette adresse est inscrite, l'e-mail de confirmation vient de repartir.",
        "If this address is registered, the confirmation e-mail is on its way again.",
    ),
    (
        "register.closed",
        "Les inscriptions à cette étape sont closes.",
        "Registration for this stop is closed.",
    ),
    ("manage.title", "Mon inscription", "My registration"),
    ("manage.erase_title", "Mes données", "My data"),
    (
        "manage.erase_text",
        "La rencontre est passée. Vous pouvez demander l'effacement de tout ce que nous gardons sur vous : nous vous enverrons un e-mail avec un lien pour le confirmer.",
        "The event is over. You may ask for everything we hold about you to be erased: we will send you an e-mail with a link to confirm it.",
    ),
    ("manage.erase", "Demander l'effacement", "Ask for erasure"),
    (
        "manage.erasure_asked",
        "C'est noté : un e-mail avec le lien de confirmation vient de partir. Rien n'est effacé avant que vous l'ayez suivi.",
        "Noted: an e-mail with the confirmation link is on its way. Nothing is erased until you follow it.",
    ),
    ("erase.title", "Effacer mes données", "Erase my data"),
    (
        "erase.text",
        "Tout ce que nous gardons sur cette adresse, toutes rencontres confondues, sera effacé :",
        "Everything we hold about this address, across every event, will be erased:",
    ),
    (
        "erase.kept",
        "Vos inscriptions à venir seront annulées. Votre nom, votre adresse, votre société et vos commentaires seront remplacés par un pseudonyme ; seuls des chiffres anonymes restent. C'est définitif.",
        "Your registrations to come will be cancelled. Your name, address, company and comments will be replaced by a pseudonym; only anonymous figures remain. This cannot be undone.",
    ),
    ("erase.confirm", "Tout effacer", "Erase everything"),
    (
        "erase.done",
        "C'est fait : vos données sont effacées.",
        "Done: your data are erased.",
    ),
    (
        "erase.already",
        "Ces données sont déjà effacées.",
        "These data are already erased.",
    ),
    (
        "erase.mail_subject",
        "Confirmer l'effacement de vos données",
        "Confirm the erasure of your data",
    ),
    (
        "erase.mail_intro",
        "Vous avez demandé l'effacement de vos données. Pour le confirmer, ouvrez ce lien :",
        "You asked for your data to be erased. To confirm it, open this link:",
    ),
    (
        "erase.mail_effect",
        "Vos inscriptions à venir seront annulées et tout ce qui vous concerne sera remplacé par un pseudonyme.",
        "Your registrations to come will be cancelled and everything about you replaced by a pseudonym.",
    ),
    (
        "erase.mail_ignore",
        "Si vous n'avez rien demandé, ignorez ce message : rien ne sera effacé.",
        "If you did not ask for this, ignore this message: nothing will be erased.",
    ),
    (
        "manage.welcome_confirmed",
        "C'est fait : vous êtes inscrit·e. Un e-mail de confirmation arrive avec votre badge.",
        "Done: you are registered. A confirmation e-mail with your badge is on its way.",
    ),
    (
        "manage.welcome_waitlisted",
        "L'étape est complète : votre demande est enregistrée sur la liste d'attente.",
        "The stop is full: your request is on the waiting list.",
    ),
    ("manage.print_badge", "Imprimer le badge", "Print the badge"),
    (
        "manage.add_calendar",
        "Ajouter à l'agenda",
        "Add to calendar",
    ),
    ("manage.change", "Changer d'ateliers", "Change workshops"),
    (
        "manage.save",
        "Enregistrer mes ateliers",
        "Save my workshops",
    ),
    ("manage.cancel_title", "Annuler", "Cancel"),
    (
        "manage.cancel_text",
        "Votre place sera donnée à la première personne en attente.",
        "Your seat will go to the first person waiting.",
    ),
    (
        "manage.cancel",
        "Annuler mon inscription",
        "Cancel my registration",
    ),
    (
        "manage.cancel_confirm",
        "Je confirme l'annulation de mon inscription",
        "I confirm that I cancel my registration",
    ),
    (
        "manage.cancel_confirm_needed",
        "cochez la case pour confirmer",
        "tick the box to confirm",
    ),
    (
        "manage.cancelled_notice",
        "Votre inscription est annulée ; un e-mail le confirme.",
        "Your registration is cancelled; an e-mail confirms it.",
    ),
    (
        "manage.register_again",
        "M'inscrire à nouveau",
        "Register again",
    ),
    (
        "manage.private_link",
        "Ce lien est personnel ; il a été envoyé à",
        "This link is private; it was sent to",
    ),
    ("source.online", "en ligne", "online"),
    ("source.walk_in", "sur place", "at the door"),
    ("source.demo", "démonstration", "demo"),
    ("answer.yes", "oui", "yes"),
    ("answer.no", "non", "no"),
    ("export.filtered", "filtre", "filtered"),
    ("status.confirmed", "confirmée", "confirmed"),
    ("status.waitlisted", "liste d'attente", "waiting list"),
    ("status.cancelled", "annulée", "cancelled"),
    // e-mails
    ("mail.hello", "Bonjour", "Hello"),
    ("mail.status", "Statut :", "Status:"),
    ("public.trainer", "Formateur :", "Trainer:"),
    ("mail.workshops", "Vos ateliers", "Your workshops"),
    ("mail.workshops_label", "Vos ateliers :", "Your workshops:"),
    (
        "mail.subject.confirmed",
        "inscription confirmée",
        "registration confirmed",
    ),
    ("mail.subject.waitlisted", "liste d'attente", "waiting list"),
    (
        "mail.subject.resent",
        "votre confirmation",
        "your confirmation",
    ),
    (
        "mail.subject.reminder",
        "rappel, à bientôt",
        "reminder, see you soon",
    ),
    (
        "mail.subject.promoted",
        "une place pour vous",
        "a seat for you",
    ),
    (
        "mail.subject.workshop_promoted",
        "une place en atelier pour vous",
        "a workshop seat for you",
    ),
    ("mail.subject.updated", "vos ateliers", "your workshops"),
    (
        "mail.subject.cancelled",
        "inscription annulée",
        "registration cancelled",
    ),
    (
        "mail.event.confirmed",
        "Votre inscription est confirmée.",
        "Your registration is confirmed.",
    ),
    (
        "mail.event.waitlisted",
        "L'étape est complète : vous êtes sur la liste d'attente. Nous vous écrirons dès qu'une place se libère.",
        "The stop is full: you are on the waiting list. We will write as soon as a seat frees up.",
    ),
    (
        "mail.event.resent",
        "Voici de nouveau votre confirmation d'inscription.",
        "Here is your registration confirmation again.",
    ),
    (
        "mail.event.reminder",
        "Votre journée approche : voici de nouveau votre badge, votre programme et l'adresse.",
        "Your day is coming: here are your badge, your programme and the address again.",
    ),
    (
        "mail.event.promoted",
        "Bonne nouvelle : une place s'est libérée, votre inscription est confirmée.",
        "Good news: a seat freed up and your registration is confirmed.",
    ),
    (
        "mail.event.workshop_promoted",
        "Bonne nouvelle : une place s'est libérée dans un atelier que vous attendiez.",
        "Good news: a seat freed up in a workshop you were waiting for.",
    ),
    (
        "mail.event.updated",
        "Votre choix d'ateliers est enregistré.",
        "Your choice of workshops is saved.",
    ),
    (
        "mail.event.cancelled",
        "Votre inscription est annulée. Vous pouvez vous réinscrire tant que les inscriptions sont ouvertes.",
        "Your registration is cancelled. You may register again while registration is open.",
    ),
    (
        "mail.badge_text",
        "Votre badge : présentez ce QR code à l'accueil et à l'entrée des ateliers.",
        "Your badge: show this QR code at the entrance and at each workshop.",
    ),
    ("mail.badge_alt", "QR code du badge", "Badge QR code"),
    (
        "mail.manage",
        "Modifier vos ateliers ou annuler :",
        "Change your workshops or cancel:",
    ),
    (
        "mail.manage_button",
        "Gérer mon inscription",
        "Manage my registration",
    ),
    (
        "mail.calendar",
        "Le fichier joint ajoute la journée à votre agenda.",
        "The attached file adds the day to your calendar.",
    ),
    (
        "mail.signature",
        "L'équipe des Rencontres Partenaires",
        "The partner events team",
    ),
    // validation (registration)
    (
        "v.email",
        "adresse e-mail invalide",
        "is not a valid e-mail address",
    ),
    ("v.consent", "doit être accepté", "must be accepted"),
    (
        "v.company_size",
        "taille inconnue",
        "is not one of the offered sizes",
    ),
    (
        "v.unknown_workshop",
        "atelier inconnu pour cette étape",
        "names a workshop that is not part of this stop",
    ),
    (
        "v.overlap",
        "deux ateliers ont lieu en même temps",
        "two workshops take place at the same time",
    ),
    // scanner
    ("scan.title", "Contrôle des badges", "Badge check"),
    ("scan.choose_stop", "Choisir l'étape", "Choose the stop"),
    (
        "scan.choose_checkpoint",
        "Choisir le point de contrôle",
        "Choose the checkpoint",
    ),
    ("scan.today", "aujourd'hui", "today"),
    ("scan.now", "en ce moment", "now"),
    (
        "scan.room_now",
        "Cette salle accueille maintenant",
        "This room now holds",
    ),
    (
        "scan.room_now_end",
        "\u{a0}: les badges sont contrôlés pour cet atelier.",
        ": badges are checked for that workshop.",
    ),
    (
        "scan.checked_in_expected",
        "présents / attendus",
        "checked in / expected",
    ),
    (
        "scan.ready",
        "Prêt : présentez un badge",
        "Ready: show a badge",
    ),
    (
        "scan.code_label",
        "Badge (lecteur ou saisie, puis Entrée)",
        "Badge (scanner or typed, then Enter)",
    ),
    ("scan.submit", "Valider", "Check"),
    (
        "scan.camera",
        "Scanner avec la caméra",
        "Scan with the camera",
    ),
    (
        "scan.camera_error",
        "Caméra indisponible",
        "Camera unavailable",
    ),
    ("scan.recent", "Derniers passages", "Last scans"),
    ("scan.undo", "Annuler ce passage", "Undo"),
    ("scan.search", "Retrouver une personne", "Find someone"),
    (
        "scan.search_hint",
        "nom, société ou e-mail",
        "name, company or e-mail",
    ),
    ("scan.find", "Chercher", "Search"),
    ("scan.nobody", "Personne ne correspond.", "Nobody matches."),
    (
        "scan.found_offline",
        "Hors ligne : trouvé sur ce téléphone (noms et sociétés, sans les e-mails).",
        "Offline: found on this phone (names and companies, not e-mails).",
    ),
    ("scan.check_in_person", "Enregistrer", "Check in"),
    (
        "scan.walk_in",
        "Inscription sur place",
        "Walk-in registration",
    ),
    (
        "scan.walk_in_submit",
        "Inscrire et faire entrer",
        "Register and check in",
    ),
    (
        "scan.walk_in_consent",
        "La personne accepte que ses données servent à cette journée.",
        "The person agrees that their data is used for this event.",
    ),
    (
        "scan.walk_in_done",
        "inscription sur place enregistrée",
        "walk-in registered",
    ),
    (
        "scan.change_checkpoint",
        "Changer de point de contrôle",
        "Change checkpoint",
    ),
    ("scan.welcome", "Bienvenue", "Welcome"),
    (
        "scan.already",
        "Déjà enregistré·e à",
        "Already checked in at",
    ),
    ("scan.already_in", "Déjà enregistré·e", "Already checked in"),
    (
        "scan.waitlisted",
        "Sur liste d'attente : pas de place confirmée",
        "On the waiting list: no confirmed seat",
    ),
    (
        "scan.cancelled",
        "Inscription annulée",
        "Registration cancelled",
    ),
    (
        "scan.not_enrolled",
        "Pas inscrit·e à cet atelier",
        "Not enrolled in this workshop",
    ),
    (
        "scan.not_enrolled_in",
        "Pas inscrit·e à l'atelier",
        "Not enrolled in the workshop",
    ),
    ("scan.enrolled_instead", "attendu·e à", "expected at"),
    (
        "scan.no_workshop_then",
        "aucun atelier à cette heure",
        "no workshop at this time",
    ),
    (
        "scan.wrong_stop",
        "Badge d'une autre étape",
        "Badge of another stop",
    ),
    (
        "scan.wrong_stop_of",
        "Badge de l'étape de",
        "Badge for the stop in",
    ),
    (
        "scan.unknown_registration",
        "Inscription introuvable",
        "Registration not found",
    ),
    (
        "scan.invalid_token",
        "Badge non reconnu",
        "Badge not recognised",
    ),
    ("scan.offline", "hors ligne", "offline"),
    ("scan.waiting", "scans en attente", "scans waiting"),
    ("scan.synced", "synchronisé", "synced"),
    (
        "scan.duplicates",
        "déjà enregistrés par un autre appareil",
        "already checked in by another device",
    ),
    ("verdict.ok", "entré·e", "in"),
    (
        "verdict.already_checked_in",
        "déjà enregistré·e",
        "already in",
    ),
    (
        "verdict.invalid_token",
        "badge non reconnu",
        "not recognised",
    ),
    (
        "verdict.unknown_registration",
        "inscription introuvable",
        "not found",
    ),
    ("verdict.cancelled", "annulée", "cancelled"),
    ("verdict.waitlisted", "liste d'attente", "waiting list"),
    ("verdict.wrong_stop", "autre étape", "other stop"),
    (
        "verdict.not_enrolled",
        "pas inscrit·e à l'atelier",
        "not enrolled",
    ),
    ("nav.scan", "Scanner", "Scanner"),
    ("devices.title", "Appareils de contrôle", "Scanner devices"),
    (
        "devices.none",
        "Aucun appareil enregistré pour cette étape.",
        "No device registered for this stop.",
    ),
    ("devices.revoked", "révoqué", "revoked"),
    (
        "devices.revoke",
        "Révoquer (appareil perdu)",
        "Revoke (lost device)",
    ),
    // feedback
    (
        "feedback.subject",
        "votre avis en deux minutes",
        "your opinion in two minutes",
    ),
    (
        "feedback.mail_intro",
        "Merci d'être venu·e aux",
        "Thank you for coming to the",
    ),
    (
        "feedback.mail_ask",
        "Qu'en avez-vous pensé ? Vos remarques, même sévères, sont lues et suivies jusqu'à leur résolution.",
        "What did you think? Your remarks, even harsh ones, are read and followed up until they are resolved.",
    ),
    ("feedback.mail_button", "Donner mon avis", "Give my opinion"),
    (
        "feedback.subject_reminder",
        "rappel : votre avis en deux minutes",
        "reminder: your opinion in two minutes",
    ),
    (
        "feedback.mail_reminder",
        "Petit rappel : votre avis nous manque encore.",
        "A short reminder: we are still missing your opinion.",
    ),
    (
        "feedback.mail_unsubscribe",
        "Ne plus recevoir ces messages :",
        "Stop these messages:",
    ),
    (
        "feedback.unsubscribe_title",
        "Ne plus recevoir de demande d'avis",
        "Stop feedback requests",
    ),
    (
        "feedback.unsubscribe_button",
        "Ne plus m'écrire à ce sujet",
        "Stop writing to me about this",
    ),
    (
        "feedback.unsubscribed",
        "C'est noté : plus aucun rappel ne vous sera envoyé.",
        "Noted: no more reminders will be sent to you.",
    ),
    ("feedback.title", "Votre avis", "Your opinion"),
    (
        "feedback.intro",
        "Quelques questions sur l'étape de",
        "A few questions about the stop in",
    ),
    (
        "feedback.overall",
        "Dans l'ensemble, la journée",
        "The day overall",
    ),
    ("feedback.trainers", "Les formateurs", "The trainers"),
    (
        "feedback.content",
        "Le contenu des ateliers",
        "The workshops' content",
    ),
    (
        "feedback.scale",
        "1 = très décevant, 5 = excellent",
        "1 = very disappointing, 5 = excellent",
    ),
    (
        "feedback.nps",
        "Recommanderiez-vous ces rencontres à un confrère ?",
        "Would you recommend these events to a colleague?",
    ),
    (
        "feedback.nps_scale",
        "0 = pas du tout, 10 = certainement",
        "0 = not at all, 10 = certainly",
    ),
    (
        "feedback.themes",
        "Un sujet à nous signaler ?",
        "Anything to report?",
    ),
    (
        "feedback.themes_hint",
        "Chaque sujet coché est suivi jusqu'à sa résolution.",
        "Each subject ticked is followed up until it is resolved.",
    ),
    (
        "theme.trainers",
        "Le professionnalisme des formateurs",
        "The trainers' professionalism",
    ),
    (
        "theme.licensing",
        "La politique de licences",
        "The licensing policy",
    ),
    (
        "theme.leads",
        "Des contacts (leads) pour les partenaires",
        "Leads for partners",
    ),
    (
        "theme.logistics",
        "L'organisation, le lieu, l'accueil",
        "Organisation, venue, welcome",
    ),
    ("theme.other", "Autre chose", "Something else"),
    ("feedback.comment", "Dites-nous en plus", "Tell us more"),
    ("feedback.submit", "Envoyer mon avis", "Send my opinion"),
    (
        "feedback.notify_me",
        "Prévenez-moi par e-mail de la suite donnée à ces sujets",
        "Tell me by e-mail what comes of these subjects",
    ),
    (
        "complaint.resolved_subject",
        "suite donnée à votre remarque",
        "what came of your remark",
    ),
    (
        "complaint.resolved_intro",
        "Vous nous aviez signalé :",
        "You told us:",
    ),
    (
        "complaint.resolved_outcome",
        "Voici la suite donnée :",
        "Here is what came of it:",
    ),
    (
        "feedback.thanks",
        "Merci ! Votre avis est enregistré.",
        "Thank you! Your opinion is recorded.",
    ),
    (
        "feedback.already",
        "Vous avez déjà donné votre avis avec ce lien : merci.",
        "You already gave your opinion with this link: thank you.",
    ),
    ("complaint.title", "Remarques et réclamations", "Complaints"),
    (
        "complaint.new",
        "Noter une réclamation",
        "Record a complaint",
    ),
    (
        "complaint.record",
        "Enregistrer la réclamation",
        "Record the complaint",
    ),
    ("complaint.theme", "Sujet", "Theme"),
    ("complaint.summary", "En une phrase", "In one sentence"),
    ("complaint.detail", "Détail", "Detail"),
    ("complaint.owner", "Responsable", "Owner"),
    ("complaint.due_on", "Échéance promise", "Promised by"),
    (
        "complaint.due_hint",
        "la date d'une promesse faite au revendeur",
        "the date of a promise made to the reseller",
    ),
    ("complaint.resolution", "Résolution", "Resolution"),
    (
        "complaint.comment",
        "Ajouter un commentaire",
        "Add a comment",
    ),
    ("complaint.history", "Historique", "History"),
    ("complaint.work", "Suivi", "Follow-up"),
    ("complaint.overdue", "en retard", "overdue"),
    (
        "complaint.overdue_only",
        "promesses en retard seulement",
        "overdue promises only",
    ),
    ("complaint.count", "réclamations", "complaints"),
    ("complaint.status.open", "ouverte", "open"),
    (
        "complaint.status.acknowledged",
        "prise en compte",
        "acknowledged",
    ),
    ("complaint.status.resolved", "résolue", "resolved"),
    (
        "complaint.status.wont_fix",
        "ne sera pas traitée",
        "won't fix",
    ),
    ("nav.complaints", "Réclamations", "Complaints"),
    // admin: e-mail queue
    ("outbox.title", "File d'envoi des e-mails", "E-mail queue"),
    ("outbox.pending", "En attente", "Waiting"),
    ("outbox.failed", "Abandonnés", "Given up"),
    (
        "outbox.empty",
        "Tout est parti.",
        "Everything has been sent.",
    ),
    ("outbox.created", "Créé", "Queued"),
    ("outbox.recipient", "Destinataire", "Recipient"),
    ("outbox.status", "État", "Status"),
    ("outbox.attempts", "Essais", "Attempts"),
    ("outbox.next", "Prochain essai", "Next attempt"),
    ("outbox.error", "Dernière erreur", "Last error"),
    ("outbox.retry", "Réessayer", "Retry now"),
    ("nav.outbox", "E-mails", "E-mails"),
    // admin: personal data
    ("nav.people", "Données personnelles", "Personal data"),
    ("people.title", "Données personnelles", "Personal data"),
    (
        "people.intro",
        "Tout ce que Roadshow garde sur une adresse e-mail, toutes tournées confondues, à remettre à la personne qui le demande.",
        "Everything Roadshow holds about an e-mail address, across tours, to hand to the person who asks.",
    ),
    ("people.email", "Adresse e-mail", "E-mail address"),
    ("people.look_up", "Chercher", "Look up"),
    (
        "people.download",
        "Télécharger tout (JSON)",
        "Download everything (JSON)",
    ),
    (
        "people.nothing",
        "Rien n'est gardé sur cette adresse.",
        "Nothing is held about this address.",
    ),
    ("people.kind.registrations", "Inscriptions", "Registrations"),
    ("people.kind.scans", "Passages de badge", "Badge scans"),
    ("people.kind.check_ins", "Entrées", "Check-ins"),
    ("people.kind.feedback", "Avis", "Feedback"),
    ("people.kind.complaints", "Réclamations", "Complaints"),
    ("people.kind.outcomes", "Résultats", "Outcomes"),
    ("people.kind.emails", "E-mails envoyés", "E-mails sent"),
    (
        "people.kind.cancelled",
        "Inscriptions à venir annulées",
        "Registrations to come cancelled",
    ),
    (
        "people.kind.complaint_history",
        "Lignes d'historique de réclamation",
        "Complaint history lines",
    ),
    (
        "people.kind.webhook_deliveries",
        "Envois de webhooks",
        "Webhook deliveries",
    ),
    (
        "people.erase_title",
        "Effacer cette personne",
        "Erase this person",
    ),
    (
        "people.erase_intro",
        "Ses inscriptions à venir sont annulées (les places vont à la liste d'attente), puis son nom, son adresse, sa société, sa fonction et ses textes sont remplacés partout par un pseudonyme. Les chiffres restent les mêmes. C'est définitif.",
        "Their registrations to come are cancelled (the seats go to the waitlist), then their name, address, company, job title and texts are replaced everywhere by a pseudonym. The figures stay the same. This cannot be undone.",
    ),
    (
        "people.erase_confirm",
        "Je confirme l'effacement, définitif",
        "I confirm the erasure, which cannot be undone",
    ),
    ("people.erase", "Effacer", "Erase"),
    (
        "people.erased",
        "Effacé. La personne s'appelle désormais",
        "Erased. The person is now called",
    ),
    (
        "people.erase_unconfirmed",
        "Cochez la confirmation pour effacer.",
        "Tick the confirmation to erase.",
    ),
    // admin: audit log
    ("nav.audit", "Journal", "Audit log"),
    ("audit.title", "Journal des modifications", "Audit log"),
    (
        "audit.intro",
        "Chaque modification faite par une personne ou un jeton : qui, quand, quoi, sur quelle cible. Le journal ne peut être ni modifié ni effacé.",
        "Every change made by a person or a token: who, when, what, on which target. The log can be neither changed nor deleted.",
    ),
    ("audit.actor", "Auteur", "Actor"),
    ("audit.action", "Action", "Action"),
    ("audit.any_action", "Toutes", "Any"),
    ("audit.target", "Cible", "Target"),
    ("audit.since", "Depuis le", "Since"),
    ("audit.filter", "Filtrer", "Filter"),
    ("audit.at", "Quand", "When"),
    ("audit.details", "Détail", "Details"),
    (
        "audit.none",
        "Aucune entrée pour ces filtres.",
        "No entry for these filters.",
    ),
    (
        "audit.more",
        "Seules les 200 dernières entrées sont affichées : resserrez les filtres pour voir les plus anciennes.",
        "Only the newest 200 entries are shown: narrow the filters to see older ones.",
    ),
    (
        "v.audit_action",
        "une action s'écrit en minuscules, mots séparés par des points",
        "an action is lower-case words separated by dots",
    ),
    // admin: webhooks
    ("nav.webhooks", "Webhooks", "Webhooks"),
    ("webhooks.title", "Webhooks", "Webhooks"),
    (
        "webhooks.intro",
        "Chaque événement choisi est envoyé, signé, à l'adresse de votre CRM dès qu'il a lieu, et renvoyé tant qu'elle ne répond pas.",
        "Each event chosen is sent, signed, to your CRM's address as it happens, and sent again until it answers.",
    ),
    (
        "webhooks.created",
        "Webhook ajouté. Voici son secret, affiché cette seule fois : copiez-le dans le récepteur pour vérifier les signatures.",
        "Webhook added. Here is its secret, shown this once: copy it into the receiver to check signatures.",
    ),
    (
        "webhooks.none",
        "Aucun webhook pour l'instant.",
        "No webhook yet.",
    ),
    ("webhooks.url", "Adresse du récepteur", "Receiver's address"),
    ("webhooks.events", "Événements", "Events"),
    ("webhooks.pending", "En attente", "Waiting"),
    ("webhooks.failed", "Abandonnés", "Given up"),
    ("webhooks.add", "Ajouter un webhook", "Add a webhook"),
    (
        "webhooks.secret",
        "Secret (facultatif)",
        "Secret (optional)",
    ),
    (
        "webhooks.secret_hint",
        "Laissez vide pour qu'un secret soit créé.",
        "Leave empty to have one made.",
    ),
    ("webhooks.field.url", "Adresse", "Address"),
    ("webhooks.field.events", "Événements", "Events"),
    ("webhooks.field.secret", "Secret", "Secret"),
    ("webhooks.deliveries", "Envois", "Deliveries"),
    (
        "webhooks.no_deliveries",
        "Rien n'a encore été envoyé.",
        "Nothing sent yet.",
    ),
    (
        "webhooks.send_test",
        "Envoyer un événement de test",
        "Send a test event",
    ),
    (
        "webhooks.remove",
        "Supprimer ce webhook",
        "Remove this webhook",
    ),
    ("webhooks.created_at", "Créé", "Queued"),
    ("webhooks.type", "Type", "Type"),
    ("webhooks.status", "État", "Status"),
    ("webhooks.attempts", "Essais", "Attempts"),
    ("webhooks.last_answer", "Dernière réponse", "Last answer"),
    ("webhooks.retry", "Renvoyer", "Send again"),
    ("webhooks.state.pending", "en attente", "waiting"),
    ("webhooks.state.delivered", "reçu", "delivered"),
    ("webhooks.state.failed", "abandonné", "given up"),
    (
        "webhooks.type.registration.created",
        "Inscription",
        "Registration",
    ),
    (
        "webhooks.type.registration.cancelled",
        "Inscription annulée",
        "Registration given up",
    ),
    (
        "webhooks.type.registration.promoted",
        "Place obtenue (liste d'attente)",
        "Seat given (waiting list)",
    ),
    (
        "webhooks.type.checkin.created",
        "Entrée ou présence en atelier",
        "Let in at a door or a workshop",
    ),
    (
        "webhooks.type.feedback.submitted",
        "Avis envoyé",
        "Feedback sent",
    ),
    (
        "webhooks.type.complaint.created",
        "Réclamation ouverte",
        "Complaint opened",
    ),
    (
        "webhooks.type.complaint.updated",
        "Réclamation suivie",
        "Complaint worked on",
    ),
    (
        "webhooks.type.webhook.test",
        "Événement de test",
        "Test event",
    ),
    // home
    ("home.title", "Rencontres partenaires", "Partner events"),
    ("home.tours", "Tournées en cours", "Current tours"),
    // partner kinds and the label track
    (
        "register.partner_type",
        "Type de partenaire",
        "Kind of partner",
    ),
    ("partner_type.reseller", "Revendeur", "Reseller"),
    ("partner_type.integrator", "Intégrateur", "Integrator"),
    ("partner_type.distributor", "Distributeur", "Distributor"),
    ("partner_type.consultant", "Conseil", "Consultant"),
    ("partner_type.other", "Autre", "Other"),
    (
        "v.partner_type",
        "type inconnu",
        "is not one of the offered kinds",
    ),
    (
        "workshops.specialist_label",
        "Atelier du label Spécialiste",
        "Specialist-label workshop",
    ),
    (
        "workshops.specialist_label_hint",
        "Les tableaux de bord suivent la part des présents qui y ont assisté.",
        "The dashboards follow the share of attendees who went to it.",
    ),
    // analytics
    ("analytics.title", "Tableaux de bord", "Dashboards"),
    ("nav.analytics", "Tableaux de bord", "Dashboards"),
    (
        "analytics.no_tours",
        "Aucune tournée pour l'instant.",
        "No tour yet.",
    ),
    ("analytics.apply", "Appliquer", "Apply"),
    (
        "analytics.arrivals",
        "Arrivées par quart d'heure",
        "Arrivals per quarter hour",
    ),
    ("analytics.attended", "Présents", "Attended"),
    (
        "analytics.attended_workshop",
        "Venus à un atelier",
        "Attended a workshop",
    ),
    ("analytics.attendees", "Participants", "Attendees"),
    ("analytics.avg_content", "Note du contenu", "Content rating"),
    ("analytics.avg_overall", "Note globale", "Overall rating"),
    (
        "analytics.avg_trainers",
        "Note des formateurs",
        "Trainers' rating",
    ),
    ("analytics.cancelled", "Annulés", "Cancelled"),
    ("analytics.capacity", "Places", "Seats"),
    (
        "analytics.chart_attendance",
        "Confirmés et présents par étape",
        "Confirmed and checked in per stop",
    ),
    (
        "analytics.chart_registrations",
        "Inscriptions dans le temps (cumul)",
        "Registrations over time (cumulative)",
    ),
    (
        "analytics.chart_themes",
        "Réclamations par thème",
        "Complaints by theme",
    ),
    (
        "analytics.chart_workshops",
        "Ateliers : places, inscrits, présents",
        "Workshops: seats, enrolled, attended",
    ),
    ("analytics.checked_in", "Présents", "Checked in"),
    ("analytics.clear_filters", "Tout le monde", "Everyone"),
    (
        "analytics.complaints_open",
        "Réclamations ouvertes",
        "Open complaints",
    ),
    (
        "analytics.complaints_resolved",
        "Réclamations résolues",
        "Resolved complaints",
    ),
    ("analytics.confirmed", "Confirmés", "Confirmed"),
    ("analytics.cumulative", "Cumul", "Cumulative"),
    ("analytics.data_table", "Tableau des données", "Data table"),
    ("analytics.date", "Date", "Date"),
    (
        "analytics.definitions",
        "Présents : inscrits confirmés badgés à l'entrée. Taux d'absence : (confirmés − présents) ÷ confirmés. Part label : présents venus à un atelier du label ÷ présents. Recommandation : % de 9–10 − % de 0–6. « — » : pas de donnée (dénominateur nul).",
        "Checked in: confirmed registrations scanned at the entrance. No-show rate: (confirmed − checked in) ÷ confirmed. Label share: attendees at a label workshop ÷ checked in. Recommendation: % of 9–10 − % of 0–6. \"—\": no data (zero denominator).",
    ),
    ("analytics.enrolled", "Inscrits", "Enrolled"),
    ("analytics.everyone", "Tous", "Everyone"),
    ("analytics.export", "Exporter\u{a0}:", "Export:"),
    ("analytics.feedback", "Avis", "Feedback"),
    ("analytics.figure", "Indicateur", "Figure"),
    ("analytics.figure.checked_in", "Présents", "Checked in"),
    (
        "analytics.figure.no_show_rate",
        "Taux d'absence",
        "No-show rate",
    ),
    (
        "analytics.figure.specialist_label_share",
        "Part à l'atelier du label",
        "Share at the label workshop",
    ),
    (
        "analytics.figure.avg_overall",
        "Note globale (sur 5)",
        "Overall rating (out of 5)",
    ),
    (
        "analytics.figure.nps",
        "Recommandation (−100 à 100)",
        "Recommendation (−100 to 100)",
    ),
    (
        "analytics.figure.response_rate",
        "Taux de réponse",
        "Response rate",
    ),
    (
        "analytics.figure.registered",
        "Inscriptions",
        "Registrations",
    ),
    ("analytics.fill", "Remplissage", "Fill"),
    (
        "analytics.filtered_note",
        "Chiffres filtrés : seules les personnes correspondant au filtre sont comptées ; les réclamations sans participant identifié sont exclues.",
        "Filtered figures: only attendees matching the filter are counted; complaints without a known attendee are left out.",
    ),
    ("analytics.filters", "Filtres", "Filters"),
    ("analytics.funnel", "Entonnoir de la tournée", "Tour funnel"),
    (
        "analytics.funnel_caption",
        "Inscrits → présents → venus à un atelier → suites données (certification…).",
        "Registered → checked in → attended a workshop → outcomes (certification…).",
    ),
    ("analytics.label_share", "Part label", "Label share"),
    ("analytics.label_tag", "label", "label"),
    (
        "analytics.live_note",
        "Étape du jour : les chiffres se mettent à jour toutes les 5 secondes.",
        "Today's stop: figures refresh every 5 seconds.",
    ),
    (
        "analytics.no_arrivals",
        "Aucune arrivée enregistrée.",
        "No arrivals recorded.",
    ),
    (
        "analytics.no_quotes",
        "Aucune citation choisie.",
        "No quote picked yet.",
    ),
    ("analytics.no_show_rate", "Taux d'absence", "No-show rate"),
    ("analytics.no_shows", "Absents", "No-shows"),
    (
        "analytics.no_targets",
        "Aucun objectif pour cette tournée.",
        "This tour has no targets.",
    ),
    ("analytics.nps", "Recommandation", "Recommendation"),
    ("analytics.outcomes", "Suites", "Outcomes"),
    ("analytics.overview", "Vue d'ensemble", "Overview"),
    ("analytics.pick", "Choisir comme citation", "Pick as quote"),
    (
        "analytics.pick_quotes",
        "Choisir des citations parmi les commentaires",
        "Pick quotes from the comments",
    ),
    ("analytics.quarter_hour", "Quart d'heure", "Quarter hour"),
    (
        "analytics.quotes",
        "Citations représentatives",
        "Representative quotes",
    ),
    ("analytics.registered", "Inscriptions", "Registered"),
    ("analytics.responses", "Réponses", "Responses"),
    (
        "analytics.see_complaints",
        "Voir les réclamations de l'étape",
        "See the stop's complaints",
    ),
    (
        "analytics.share_of_attendees",
        "Part des présents",
        "Share of attendees",
    ),
    ("analytics.show", "Afficher", "Show"),
    ("analytics.stops", "Étapes", "Stops"),
    ("analytics.targets", "Objectifs", "Targets"),
    ("analytics.that_day", "Ce jour", "That day"),
    ("analytics.time", "Heure", "Time"),
    ("analytics.total", "Total", "Total"),
    ("analytics.tour_average", "Moyenne tournée", "Tour average"),
    (
        "analytics.trend",
        "Évolution d'un indicateur sur la tournée",
        "A figure across the tour",
    ),
    ("analytics.unpick", "Retirer", "Remove"),
    ("analytics.updated_at", "Mis à jour à", "Updated at"),
    ("analytics.waitlisted", "En liste d'attente", "Waitlisted"),
    ("analytics.walk_ins", "Inscrits sur place", "Walk-ins"),
    ("analytics.workshops", "Ateliers", "Workshops"),
    (
        "outcome.certification_started",
        "Certifications entamées",
        "Certifications started",
    ),
    ("outcome.certified", "Certifiés", "Certified"),
    (
        "outcome.label_obtained",
        "Labels obtenus",
        "Labels obtained",
    ),
    (
        "analytics.search",
        "Nom, société ou e-mail",
        "Name, company or e-mail",
    ),
    (
        "analytics.list_capped",
        "Seules les 300 premières personnes sont affichées : précisez la recherche, ou exportez la liste complète.",
        "Only the first 300 people are shown: narrow the search, or export the whole list.",
    ),
    ("analytics.name", "Nom", "Name"),
    ("analytics.status", "Statut", "Status"),
    ("analytics.status.confirmed", "Confirmé", "Confirmed"),
    (
        "analytics.status.waitlisted",
        "En liste d'attente",
        "Waitlisted",
    ),
    ("analytics.status.cancelled", "Annulé", "Cancelled"),
    ("analytics.arrived_at", "Arrivé à", "Arrived at"),
    (
        "analytics.nobody",
        "Personne ne correspond.",
        "Nobody matches.",
    ),
    ("analytics.scans", "Passages", "Check-ins"),
    ("analytics.not_scanned", "Jamais badgé.", "Never scanned."),
    ("analytics.no_feedback", "Pas d'avis.", "No feedback."),
    (
        "analytics.outcome_saved",
        "Suite enregistrée.",
        "Outcome recorded.",
    ),
    (
        "analytics.no_outcomes",
        "Aucune suite enregistrée.",
        "No outcome recorded.",
    ),
    (
        "analytics.record_outcome",
        "Enregistrer une suite",
        "Record an outcome",
    ),
    ("analytics.outcome_kind", "Suite", "Outcome"),
    ("analytics.occurred_on", "Date", "Date"),
    ("analytics.record", "Enregistrer", "Record"),
    ("theme_short.trainers", "Formateurs", "Trainers"),
    ("theme_short.licensing", "Licences", "Licensing"),
    ("theme_short.leads", "Leads", "Leads"),
    ("theme_short.logistics", "Logistique", "Logistics"),
    ("theme_short.other", "Autre", "Other"),
    ("complaint.field.created", "créée", "created"),
    ("complaint.field.status", "statut", "status"),
    ("complaint.field.owner", "responsable", "owner"),
    ("complaint.field.due_on", "échéance", "due date"),
    ("complaint.field.resolution", "résolution", "resolution"),
    ("complaint.field.comment", "commentaire", "comment"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        let cases = [
            ("en-US,en;q=0.9", Some(Locale::En)),
            ("de-DE,fr;q=0.5,en;q=0.8", Some(Locale::En)),
            ("fr-CH, fr;q=0.9, en;q=0.8", Some(Locale::Fr)),
            ("de", None),
            ("", None),
        ];
        for (header, expected) in cases {
            assert_eq!(Locale::from_accept_language(header), expected, "{header}");
        }
    }

    #[test]
    fn every_key_used_in_templates_exists_in_the_catalogue() {
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("templates folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("template text");
                for piece in text.split(".t(\"").skip(1) {
                    let key = piece.split('"').next().unwrap_or_default();
                    if !CATALOGUE.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing catalogue keys: {missing:#?}");
    }

    #[test]
    fn keys_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (key, _, _) in ENTRIES {
            assert!(seen.insert(key), "duplicate key {key}");
        }
    }
}
