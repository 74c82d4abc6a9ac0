//! The criteria tables: (code, title, summary), in code order. Summaries are our own
//! paraphrases, written for caseworkers and the public register; they are not the legal text.

use crate::criteria::CriterionRow;

pub(crate) const UK_SELC: &[CriterionRow] = &[
    (
        "1",
        "International obligations and commitments",
        "A licence is not granted where it would breach the UK's international obligations and commitments, such as UN Security Council sanctions, non-proliferation agreements and other treaties.",
    ),
    (
        "1a",
        "Arms embargoes and sanctions",
        "Exports must not breach UN, OSCE or UK arms embargoes, national embargoes the UK observes, or related commitments.",
    ),
    (
        "1b",
        "Weapons of mass destruction treaties",
        "Exports must be consistent with the Nuclear Non-Proliferation Treaty and the Biological and Chemical Weapons Conventions.",
    ),
    (
        "1c",
        "Landmines and cluster munitions",
        "Exports must be consistent with the UK's obligations on anti-personnel landmines and cluster munitions.",
    ),
    (
        "1d",
        "Export control regimes",
        "Exports must respect the UK's commitments in the multilateral export control regimes, such as the Wassenaar Arrangement, the Missile Technology Control Regime, the Nuclear Suppliers Group and the Australia Group.",
    ),
    (
        "2",
        "Human rights and international humanitarian law",
        "The recipient country's attitude to human rights and its respect for international humanitarian law are assessed.",
    ),
    (
        "2a",
        "Internal repression",
        "No licence where there is a clear risk that the items might be used for internal repression.",
    ),
    (
        "2b",
        "Special caution",
        "Particular caution and vigilance where competent bodies have established serious violations of human rights in the destination, looking at the nature of the items and the end user.",
    ),
    (
        "2c",
        "Serious violations of international humanitarian law",
        "No licence where there is a clear risk that the items might be used to commit or facilitate a serious violation of international humanitarian law.",
    ),
    (
        "2d",
        "Gender-based violence",
        "No licence where there is a clear risk that the items might be used to commit or facilitate gender-based violence or serious violence against women or children.",
    ),
    (
        "3",
        "Internal situation in the destination",
        "No licence for items that would provoke or prolong armed conflict, or aggravate existing tensions or conflicts, in the country of final destination.",
    ),
    (
        "4",
        "Regional peace, security and stability",
        "No licence where there is a clear risk that the recipient would use the items aggressively against another country or to assert a territorial claim by force.",
    ),
    (
        "4a",
        "Armed conflict with another country",
        "Whether there is, or is likely to be, armed conflict between the recipient and another country.",
    ),
    (
        "4b",
        "Territorial claims",
        "Whether the recipient claims a neighbour's territory which it has pursued, or threatened to pursue, by force.",
    ),
    (
        "4c",
        "Use beyond legitimate defence",
        "Whether the items are likely to be used for purposes other than the recipient's legitimate national security and defence.",
    ),
    (
        "4d",
        "Regional stability",
        "The need not to affect regional stability adversely in any significant way.",
    ),
    (
        "5",
        "National security of the UK and its allies",
        "The effect of the export on the security of the UK, of territories for whose external relations it is responsible, and of allies.",
    ),
    (
        "5a",
        "UK and allied defence and security interests",
        "The potential effect of the export on the defence and security interests of the UK and its allies.",
    ),
    (
        "5b",
        "Use against UK or allied forces",
        "The risk that the items might be used against the forces of the UK or its allies.",
    ),
    (
        "6",
        "Conduct of the buyer country",
        "The buyer country's behaviour towards the international community: its attitude to terrorism, the nature of its alliances and its respect for international law.",
    ),
    (
        "6a",
        "Terrorism and organised crime",
        "The buyer country's record of supporting or encouraging terrorism and international organised crime.",
    ),
    (
        "6b",
        "Compliance with international commitments",
        "The buyer country's compliance with its international commitments, including on the non-use of force and international humanitarian law.",
    ),
    (
        "6c",
        "Non-proliferation and arms control",
        "The buyer country's commitment to non-proliferation and arms control, such as its adherence to the relevant treaties and conventions.",
    ),
    (
        "7",
        "Risk of diversion",
        "The risk that the items will be diverted to an undesirable end user or end use, or re-exported under undesirable conditions.",
    ),
    (
        "7a",
        "Legitimate needs of the recipient",
        "The legitimate defence and domestic security interests of the recipient country, including peacekeeping.",
    ),
    (
        "7b",
        "Technical capability",
        "Whether the recipient country has the technical capability to use the items.",
    ),
    (
        "7c",
        "Export controls in the destination",
        "The recipient country's capability to apply effective export controls.",
    ),
    (
        "7d",
        "Re-export",
        "The risk of re-export to undesirable destinations and the recipient's record of respecting re-export conditions.",
    ),
    (
        "7e",
        "Diversion to terrorists",
        "The risk that the items will be diverted to terrorist organisations or individual terrorists.",
    ),
    (
        "7f",
        "Reverse engineering",
        "The risk of reverse engineering or unintended transfer of technology.",
    ),
    (
        "8",
        "Economic and technical capacity of the recipient",
        "Whether the export would seriously undermine the economy or seriously hamper the sustainable development of the recipient country.",
    ),
];

pub(crate) const EU_COMMON_POSITION: &[CriterionRow] = &[
    (
        "1",
        "International obligations and commitments",
        "Licences are denied where approval would breach Member States' international obligations and commitments, such as UN or EU sanctions and non-proliferation agreements.",
    ),
    (
        "1a",
        "Arms embargoes",
        "Approval must not breach UN, EU or OSCE arms embargoes that Member States are committed to enforce.",
    ),
    (
        "1b",
        "Weapons of mass destruction treaties",
        "Approval must be consistent with the Nuclear Non-Proliferation Treaty and the Biological and Chemical Weapons Conventions.",
    ),
    (
        "1c",
        "Anti-personnel landmines",
        "Approval must respect the commitment not to export anti-personnel landmines.",
    ),
    (
        "1d",
        "Export control regimes",
        "Approval must respect commitments in the multilateral export control regimes, such as the Wassenaar Arrangement and the Missile Technology Control Regime.",
    ),
    (
        "2",
        "Human rights and international humanitarian law",
        "The recipient country's attitude to international human rights instruments and its respect for international humanitarian law are assessed.",
    ),
    (
        "2a",
        "Internal repression",
        "A licence is denied where there is a clear risk that the items might be used for internal repression.",
    ),
    (
        "2b",
        "Special caution",
        "Special caution and vigilance, case by case, where competent bodies have established serious human rights violations in the destination.",
    ),
    (
        "2c",
        "Serious violations of international humanitarian law",
        "A licence is denied where there is a clear risk that the items might be used in committing serious violations of international humanitarian law.",
    ),
    (
        "3",
        "Internal situation in the destination",
        "A licence is denied for items that would provoke or prolong armed conflicts, or aggravate existing tensions or conflicts, in the destination.",
    ),
    (
        "4",
        "Regional peace, security and stability",
        "A licence is denied where there is a clear risk that the recipient would use the items aggressively against another country or to assert a territorial claim by force.",
    ),
    (
        "4a",
        "Armed conflict with another country",
        "Whether there is, or is likely to be, armed conflict between the recipient and another country.",
    ),
    (
        "4b",
        "Territorial claims",
        "Whether the recipient claims a neighbour's territory which it has pursued, or threatened to pursue, by force.",
    ),
    (
        "4c",
        "Use beyond legitimate defence",
        "Whether the items are likely to be used other than for the recipient's legitimate national security and defence.",
    ),
    (
        "4d",
        "Regional stability",
        "The need not to affect regional stability adversely in any significant way.",
    ),
    (
        "5",
        "Security of the Member States and their allies",
        "The effect of the export on the security of the Member States and of friendly and allied countries.",
    ),
    (
        "5a",
        "Defence and security interests",
        "The potential effect of the export on the defence and security interests of Member States and of friendly and allied countries.",
    ),
    (
        "5b",
        "Use against Member States' or allied forces",
        "The risk that the items might be used against the forces of Member States or of friendly and allied countries.",
    ),
    (
        "6",
        "Conduct of the buyer country",
        "The buyer country's behaviour towards the international community: its attitude to terrorism, its alliances and its respect for international law.",
    ),
    (
        "6a",
        "Terrorism and organised crime",
        "The buyer country's record of supporting or encouraging terrorism and international organised crime.",
    ),
    (
        "6b",
        "Compliance with international commitments",
        "The buyer country's compliance with its international commitments, notably on the non-use of force and international humanitarian law.",
    ),
    (
        "6c",
        "Non-proliferation and arms control",
        "The buyer country's commitment to non-proliferation and to arms control and disarmament.",
    ),
    (
        "7",
        "Risk of diversion",
        "The risk that the items will be diverted within the buyer country or re-exported under undesirable conditions.",
    ),
    (
        "7a",
        "Legitimate needs of the recipient",
        "The legitimate defence and domestic security interests of the recipient country, including peacekeeping.",
    ),
    (
        "7b",
        "Technical capability",
        "Whether the recipient country has the technical capability to use the items.",
    ),
    (
        "7c",
        "Export controls in the destination",
        "The recipient country's capability to apply effective export controls.",
    ),
    (
        "7d",
        "Re-export",
        "The risk of re-export to undesirable destinations and the recipient's record of respecting re-export conditions.",
    ),
    (
        "7e",
        "Diversion to terrorists",
        "The risk that the items will be diverted to terrorist organisations or individual terrorists.",
    ),
    (
        "7f",
        "Reverse engineering",
        "The risk of reverse engineering or unintended transfer of technology.",
    ),
    (
        "8",
        "Economic and technical capacity of the recipient",
        "Whether the export would seriously hamper the sustainable development of the recipient country, weighing its military and social spending.",
    ),
];
