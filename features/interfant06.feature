@carepath
Feature: Interfant-06 risk group and allogeneic SCT indication
  Interfant-06 puts every MLL-germline infant in the low-risk group (LR), prednisone poor responders
  included. An MLL-rearranged infant is high risk (HR) when younger than 6 months AND either the WBC
  at diagnosis is 300 x10^9/L or more or the prednisone response is poor (1,000 or more blasts/µL in
  the blood on day 8); every other MLL-rearranged infant is medium risk (MR). A duplication of 11q23
  (dupMLL) is not a rearrangement by split-signal FISH and counts as germline. HR infants are
  allocated to allogeneic SCT, and so are MR infants with MRD of 10^-4 (0.01 %) or more at the start
  of OCTADAD. The HR rule is much narrower than the seed paper's: it needs all three features.

  Scenario Outline: Table 1, patient <patient>, under Interfant-06
    Given the protocol "protocols/interfant06.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then patient "<patient>" has "age_at_diagnosis" recorded as "<age>"
    And patient "<patient>" has "wbc_at_diagnosis" recorded as "<WBC>"
    And patient "<patient>" has "mll_finding" recorded as "<MLL finding>"
    And patient "<patient>" is assigned "<risk group>" for "risk_group"
    And the decision "hsct_referral" for patient "<patient>" is "<HSCT referral>"
    And "risk_group" for patient "<patient>" was decided by "<decided by>"

    # No MLL-rearranged patient is under 6 months (1, 8 and 9 are 6, 11 and 9 months), so none is HR;
    # their SCT indication waits for an MRD result the paper does not report. dupMLL (3-6) and no
    # rearrangement (2, 7) are LR whatever the age and WBC. A low-risk group is decided by the
    # criteria that failed: MLL not rearranged, and for patients of 6 months or more the age too.
    Examples:
      | patient | age       | WBC         | MLL finding       | risk group | HSCT referral | decided by                            |
      | 1       | 6 months  | 33,900 /µL  | t(4;11)(q21;q23)  | medium     | undetermined  | mll_rearranged                        |
      | 2       | 6 months  | 43,500 /µL  | -                 | low        | no            | mll_rearranged, infant_under_6_months |
      | 3       | 10 months | 11,410 /µL  | dupMLL(11q23)     | low        | no            | mll_rearranged, infant_under_6_months |
      | 4       | 5 months  | 1,180 /µL   | dupMLL(11q23)     | low        | no            | mll_rearranged                        |
      | 5       | 11 months | 84,950 /µL  | dupMLL(11q23)     | low        | no            | mll_rearranged, infant_under_6_months |
      | 6       | 5 months  | 123,800 /µL | dupMLL(11q23)     | low        | no            | mll_rearranged                        |
      | 7       | 8 months  | 139,800 /µL | -                 | low        | no            | mll_rearranged, infant_under_6_months |
      | 8       | 11 months | 35,670 /µL  | t(11;19)(q23;q13) | medium     | undetermined  | mll_rearranged                        |
      | 9       | 9 months  | 91,600 /µL  | t(4;11)(q21;q23)  | medium     | undetermined  | mll_rearranged                        |

  Scenario: The seed cohort as a whole under Interfant-06
    Given the protocol "protocols/interfant06.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then no patient is rejected
    And 0 of the 9 patients are assigned "high" for "risk_group"
    And 3 of the 9 patients are assigned "medium" for "risk_group"
    And 6 of the 9 patients are assigned "low" for "risk_group"
    And 0 of the 9 patients are assigned "yes" for "hsct_referral"
    And 6 of the 9 patients are assigned "no" for "hsct_referral"
    And 3 of the 9 patients are assigned "undetermined" for "hsct_referral"
    And 3 of the 9 patients meet "mll_rearranged"
    And 2 of the 9 patients meet "infant_under_6_months"
    And 0 of the 9 patients meet "wbc_300_or_more"
    And every patient whose "mll" is "translocation" is assigned "medium" for "risk_group"
    And every patient whose "mll" is "duplication" is assigned "low" for "risk_group"
    And for every patient whose "mll" is "duplication", "mll_rearranged" does not hold

  Scenario: The MLL-rearranged seed patients wait for MRD at the start of OCTADAD
    Given the protocol "protocols/interfant06.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then patient "1" is undetermined and needs "mrd_before_octadad"
    And patient "8" is undetermined and needs "mrd_before_octadad"
    And patient "9" is undetermined and needs "mrd_before_octadad"
    And "mrd_1e4_before_octadad" is unknown for patient "9"
    And "prednisone_poor_response" is unknown for patient "9"
    And the explanation for patient "9" shows "mrd_before_octadad is missing"
    And the explanation for patient "9" cites "MRD levels of >= 10e-4 at the start of OCTADA(D)"

  Scenario Outline: A WBC of <WBC> against the 300 x10^9/L threshold
    Given the protocol "protocols/interfant06.care"
    And a patient "P" with:
      | field                  | value         |
      | age_at_diagnosis       | 4 months      |
      | wbc_at_diagnosis       | <WBC>         |
      | mll                    | translocation |
      | prednisone_day8_blasts | 200 /uL       |
    When the protocol is evaluated
    Then patient "P" is assigned "<risk group>" for "risk_group"
    And "wbc_300_or_more" <WBC 300 or more> for patient "P"
    And "prednisone_poor_response" does not hold for patient "P"

    Examples:
      | WBC             | risk group | WBC 300 or more |
      | 300 10*9/L      | high       | holds           |
      | 300,000 /uL     | high       | holds           |
      | 300000 /µL      | high       | holds           |
      | 299.999 10*9/L  | medium     | does not hold   |
      | 299,999 /uL     | medium     | does not hold   |
      | 50 10*9/L       | medium     | does not hold   |

  Scenario: A WBC of exactly 300 x10^9/L makes an MLL-rearranged infant under 6 months HR
    Given the protocol "protocols/interfant06.care"
    And a patient "P" with:
      | field                  | value         |
      | age_at_diagnosis       | 4 months      |
      | wbc_at_diagnosis       | 300 10*9/L    |
      | mll                    | translocation |
      | prednisone_day8_blasts | 200 /uL       |
    When the protocol is evaluated
    Then "risk_group" for patient "P" was decided by "mll_rearranged, infant_under_6_months, wbc_300_or_more"
    And the decision "hsct_referral" for patient "P" is "yes"
    And the explanation for patient "P" shows "wbc_at_diagnosis 300,000 /µL ≥ 300,000 /µL"
    And the explanation for patient "P" cites "Mann G et al. Blood 2010;116:2644"

  Scenario Outline: <blasts> blasts on day 8 against the 1,000/µL prednisone threshold
    Given the protocol "protocols/interfant06.care"
    And a patient "P" with:
      | field                  | value         |
      | age_at_diagnosis       | 4 months      |
      | wbc_at_diagnosis       | 100,000 /uL   |
      | mll                    | translocation |
      | prednisone_day8_blasts | <blasts>      |
    When the protocol is evaluated
    Then patient "P" is assigned "<risk group>" for "risk_group"
    And "prednisone_poor_response" <poor response> for patient "P"

    Examples:
      | blasts     | risk group | poor response |
      | 1000 /uL   | high       | holds         |
      | 1,000 /µL  | high       | holds         |
      | 1 10*9/L   | high       | holds         |
      | 999 /uL    | medium     | does not hold |
      | 0 /uL      | medium     | does not hold |

  Scenario Outline: MRD of <MRD> at the start of OCTADAD for a medium-risk infant
    Given the protocol "protocols/interfant06.care"
    And a patient "MR" with:
      | field              | value         |
      | age_at_diagnosis   | 8 months      |
      | wbc_at_diagnosis   | 20,000 /uL    |
      | mll                | translocation |
      | mrd_before_octadad | <MRD>         |
    When the protocol is evaluated
    Then patient "MR" is assigned "medium" for "risk_group"
    And the decision "hsct_referral" for patient "MR" is "<HSCT referral>"
    And "mrd_1e4_before_octadad" <MRD 10^-4 or more> for patient "MR"

    Examples:
      | MRD     | HSCT referral | MRD 10^-4 or more |
      | 0.01 %  | yes           | holds             |
      | 0.5 %   | yes           | holds             |
      | 0.009 % | no            | does not hold     |
      | 0 %     | no            | does not hold     |

  Scenario: A missing MRD leaves the SCT indication of a medium-risk infant undetermined
    Given the protocol "protocols/interfant06.care"
    And a patient "MR" with:
      | field              | value         |
      | age_at_diagnosis   | 8 months      |
      | wbc_at_diagnosis   | 20,000 /uL    |
      | mll                | translocation |
      | mrd_before_octadad |               |
    When the protocol is evaluated
    Then patient "MR" is assigned "medium" for "risk_group"
    And the decision "hsct_referral" for patient "MR" is "undetermined"
    And patient "MR" is undetermined and needs "mrd_before_octadad"

  Scenario: MRD does not matter for high-risk or low-risk infants
    Given the protocol "protocols/interfant06.care"
    And a patient "HR" with:
      | field                  | value         |
      | age_at_diagnosis       | 3 months      |
      | wbc_at_diagnosis       | 450,000 /uL   |
      | mll                    | translocation |
    And a patient "LR with MRD" with:
      | field                  | value         |
      | age_at_diagnosis       | 8 months      |
      | wbc_at_diagnosis       | 20,000 /uL    |
      | mll                    | germline      |
      | mrd_before_octadad     | 1 %           |
    And a patient "LR" with:
      | field                  | value         |
      | age_at_diagnosis       | 8 months      |
      | wbc_at_diagnosis       | 20,000 /uL    |
      | mll                    | germline      |
    When the protocol is evaluated
    Then patient "HR" is assigned "high" for "risk_group"
    And the decision "hsct_referral" for patient "HR" is "yes"
    And patient "LR with MRD" is assigned "low" for "risk_group"
    And the decision "hsct_referral" for patient "LR with MRD" is "no"
    And the decision "hsct_referral" for patient "LR" is "no"
    And no patient is rejected

  Scenario: A missing prednisone response matters for an MLL-rearranged infant under 6 months without hyperleukocytosis
    Given the protocol "protocols/interfant06.care"
    And a patient "P" with:
      | field                  | value         |
      | age_at_diagnosis       | 4 months      |
      | wbc_at_diagnosis       | 100,000 /uL   |
      | mll                    | translocation |
      | prednisone_day8_blasts |               |
      | mrd_before_octadad     | 0 %           |
    When the protocol is evaluated
    Then patient "P" is undetermined and needs "prednisone_day8_blasts"
    And the decision "risk_group" for patient "P" is "undetermined"
    And the decision "hsct_referral" for patient "P" is "undetermined"
    And "prednisone_poor_response" is unknown for patient "P"

  Scenario Outline: A missing prednisone response does not matter for <who>
    Given the protocol "protocols/interfant06.care"
    And a patient "P" with:
      | field                  | value     |
      | age_at_diagnosis       | <age>     |
      | wbc_at_diagnosis       | <WBC>     |
      | mll                    | <MLL>     |
      | prednisone_day8_blasts |           |
    When the protocol is evaluated
    Then patient "P" is assigned "<risk group>" for "risk_group"
    And "prednisone_poor_response" is unknown for patient "P"

    Examples:
      | who                                                | age      | WBC         | MLL           | risk group |
      | an MLL-rearranged infant with a WBC of 300 x10^9/L | 4 months | 300 10*9/L  | translocation | high       |
      | an MLL-rearranged infant of 6 months or more       | 7 months | 100,000 /uL | translocation | medium     |
      | an MLL-germline infant                             | 2 months | 500,000 /uL | germline      | low        |
      | an infant with dupMLL                              | 2 months | 500,000 /uL | duplication   | low        |

  Scenario: MLL-germline and dupMLL infants are low risk even with every other adverse feature
    Given the protocol "protocols/interfant06.care"
    And a patient "germline" with:
      | field                  | value       |
      | age_at_diagnosis       | 2 months    |
      | wbc_at_diagnosis       | 500,000 /uL |
      | mll                    | germline    |
      | prednisone_day8_blasts | 5,000 /uL   |
    And a patient "dupMLL" with:
      | field                  | value       |
      | age_at_diagnosis       | 2 months    |
      | wbc_at_diagnosis       | 500,000 /uL |
      | mll                    | duplication |
      | prednisone_day8_blasts | 5,000 /uL   |
    And a patient "translocation" with:
      | field                  | value         |
      | age_at_diagnosis       | 2 months      |
      | wbc_at_diagnosis       | 500,000 /uL   |
      | mll                    | translocation |
      | prednisone_day8_blasts | 5,000 /uL     |
    When the protocol is evaluated
    Then patient "germline" is assigned "low" for "risk_group"
    And the decision "hsct_referral" for patient "germline" is "no"
    And "prednisone_poor_response" holds for patient "germline"
    And patient "dupMLL" is assigned "low" for "risk_group"
    And "risk_group" for patient "dupMLL" was decided by "mll_rearranged"
    And the explanation for patient "dupMLL" shows "mll is duplication, not translocation"
    And patient "translocation" is assigned "high" for "risk_group"
    And "risk_group" for patient "translocation" was decided by "mll_rearranged, infant_under_6_months, wbc_300_or_more, prednisone_poor_response"

  Scenario: A missing MLL status is needed, never read as germline
    Given the protocol "protocols/interfant06.care"
    And a patient "older" with:
      | field            | value      |
      | age_at_diagnosis | 8 months   |
      | wbc_at_diagnosis | 20,000 /uL |
      | mll              |            |
    And a patient "younger" with:
      | field                  | value       |
      | age_at_diagnosis       | 4 months    |
      | wbc_at_diagnosis       | 400,000 /uL |
      | mll                    |             |
    When the protocol is evaluated
    Then patient "older" is undetermined and needs "mll, mrd_before_octadad"
    And the decision "risk_group" for patient "older" is "undetermined"
    And the decision "risk_group" for patient "younger" is "undetermined"
    And the decision "hsct_referral" for patient "younger" is "undetermined"
    And "mll_rearranged" is unknown for patient "younger"
    And "wbc_300_or_more" holds for patient "younger"

  Scenario: An age of 183 days may be either side of 6 months; the dates decide
    Given the protocol "protocols/interfant06.care"
    And a patient "in days" with:
      | field              | value         |
      | age_at_diagnosis   | 183 days      |
      | wbc_at_diagnosis   | 400,000 /uL   |
      | mll                | translocation |
      | mrd_before_octadad | 0 %           |
    And a patient "born in July" with:
      | field              | value         |
      | date_of_birth      | 2024-07-02    |
      | date_of_diagnosis  | 2025-01-01    |
      | wbc_at_diagnosis   | 400,000 /uL   |
      | mll                | translocation |
      | mrd_before_octadad | 0 %           |
    And a patient "born in January" with:
      | field              | value         |
      | date_of_birth      | 2024-01-01    |
      | date_of_diagnosis  | 2024-07-02    |
      | wbc_at_diagnosis   | 400,000 /uL   |
      | mll                | translocation |
      | mrd_before_octadad | 0 %           |
    When the protocol is evaluated
    Then patient "in days" is undetermined and needs "age_at_diagnosis"
    And patient "born in July" is assigned "high" for "risk_group"
    And the decision "hsct_referral" for patient "born in July" is "yes"
    And patient "born in January" is assigned "medium" for "risk_group"
    And the decision "hsct_referral" for patient "born in January" is "no"

  Scenario Outline: Synthetic infant <patient>: <note>
    Given the protocol "protocols/interfant06.care"
    And the patients in "cohorts/infant_examples.yaml"
    When the protocol is evaluated
    Then patient "<patient>" has "note" recorded as "<note>"
    And patient "<patient>" is assigned "<risk group>" for "risk_group"
    And the decision "hsct_referral" for patient "<patient>" is "<HSCT referral>"

    Examples:
      | patient | note                                                       | risk group | HSCT referral |
      | A       | MLL-rearranged, very young, WBC 300 x10^9/L or more        | high       | yes           |
      | B       | MLL-rearranged, under 6 months, prednisone poor response   | high       | yes           |
      | C       | MLL-rearranged, 8 months, MRD 0.02 % before OCTADAD        | medium     | yes           |
      | D       | MLL-rearranged, 8 months, CNS disease, MRD below 10^-4     | medium     | no            |
      | E       | MLL-germline, 60 days, high WBC, prednisone poor response  | low        | no            |
      | F       | dupMLL, 10 months, low WBC                                 | low        | no            |
      | G       | MLL-rearranged, 8 months, MRD not yet measured             | medium     | undetermined  |

  Scenario: A missing WBC matters for an MLL-rearranged infant under 6 months with a good prednisone response
    # HR needs WBC >= 300 x10^9/L or a poor response; with 200 blasts/µL the response is good, so only
    # the WBC could make this infant high risk: without it the group is undetermined and the WBC is needed
    Given the protocol "protocols/interfant06.care"
    And a patient "P" with:
      | field                  | value         |
      | age_at_diagnosis       | 100 days      |
      | mll                    | translocation |
      | prednisone_day8_blasts | 200 /uL       |
      | mrd_before_octadad     | 0 %           |
    When the protocol is evaluated
    Then patient "P" is undetermined and needs "wbc_at_diagnosis"
    And "wbc_300_or_more" is unknown for patient "P"
