"""The official typology of EPS (eps.md §3): objects of a convention, natures of avantages,
categories of beneficiaries. Codes are what the protocol carries; labels are what people read."""

OBJECTS = {
    "conseil_expertise": "Conseil / expertise",
    "recherche_scientifique": "Recherche scientifique",
    "evaluation_scientifique": "Évaluation scientifique",
    "participation_manifestation": "Participation à une manifestation",
    "intervenant_manifestation": "Intervenant à une manifestation",
    "formation": "Formation",
    "parrainage": "Parrainage",
    "partenariat": "Partenariat",
    "mecenat": "Mécénat",
    "edition": "Édition",
    "cession_droits": "Cession de droits",
    "enquete_etude": "Enquête / étude",
    "achat_espace": "Achat ou location d'espace lors d'une manifestation",
    "bourse_recherche": "Bourse de recherche",
    "remise_prix": "Remise de prix",
    "autre": "Autre",
}

NATURES = {
    "remuneration": "Rémunération / honoraires",
    "indemnisation": "Indemnisation",
    "defraiement": "Défraiement",
    "hebergement": "Hospitalité — hébergement",
    "restauration": "Hospitalité — restauration",
    "collation": "Hospitalité — collation",
    "transport": "Hospitalité — transport",
    "frais_inscription": "Frais d'inscription",
    "formation_dpc": "Financement de formation / DPC",
    "dons_liberalites": "Dons et libéralités",
    "pret_don_materiel": "Prêt ou don de matériel",
    "bourse": "Bourse",
    "autre": "Autre",
    # Valeur négligeable (second arrêté of 7 August 2020): outside the regime within their limits.
    "repas_impromptu": "Valeur négligeable — repas ou collation impromptu",
    "livres_revues": "Valeur négligeable — livres et revues",
    "echantillons": "Valeur négligeable — échantillons",
    "fournitures": "Valeur négligeable — fournitures et objets professionnels",
}

# What a don or libéralité finances: the thresholds differ (eps.md §4).
DON_PURPOSES = {
    "recherche": "Recherche, valorisation ou évaluation scientifique",
    "association_rup": "Association reconnue d'utilité publique",
    "association_sante": "Association, autre objet de santé",
}

CATEGORIES = {
    "professionnel": "Professionnel de santé",
    "etudiant": "Étudiant",
    "association": "Association",
    "agent_public": "Agent public",
}

# Professions with an order whose national council instructs (R.1453-15); others go to the ARS.
ORDER_OF_PROFESSION = {
    "chirurgien_dentiste": "ORDRE-CD",
    "sage_femme": "ORDRE-SF",
    "infirmier": "ORDRE-INF",
    "masseur_kinesitherapeute": "ORDRE-MK",
    "pedicure_podologue": "ORDRE-PP",
}
PHARMACIST_SECTIONS = ("A", "B", "C", "D", "E", "G", "H")
