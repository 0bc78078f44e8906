@carepath
Feature: Severance infant ALL: high-risk stratification and HSCT referral (Lee et al. 2011)
  The seed paper calls an infant with acute lymphoblastic leukaemia high risk when ANY of three
  criteria holds: age at diagnosis under 6 months (6개월 미만), WBC at diagnosis of 50,000/µL or
  more (50,000/µL 이상), or an MLL rearrangement by translocation; a duplication, dupMLL (11q23),
  does not count. High-risk infants were referred for allogeneic HSCT after chemotherapy.

  Scenario Outline: Table 1, patient <patient>
    Given the protocol "protocols/severance_2011.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then patient "<patient>" has "age_at_diagnosis" recorded as "<age>"
    And patient "<patient>" has "wbc_at_diagnosis" recorded as "<WBC>"
    And patient "<patient>" has "mll_finding" recorded as "<MLL finding>"
    And patient "<patient>" is assigned "<risk group>" for "risk_group"
    And the decision "hsct_referral" for patient "<patient>" is "<HSCT referral>"
    And "risk_group" for patient "<patient>" was decided by "<decided by>"

    # Table 1 prints ages as 6M, 5M, …; its WBC header says /mL, but the values are per µL.
    # A standard-risk group is decided by all three criteria failing, so all three are listed.
    # Patient 1 was referred but not transplanted (the Results give economic reasons).
    Examples:
      | patient | age       | WBC          | MLL finding       | risk group | HSCT referral | decided by                                                  |
      | 1       | 6 months  | 33,900 /µL   | t(4;11)(q21;q23)  | high       | yes           | mll_translocation                                           |
      | 2       | 6 months  | 43,500 /µL   | -                 | standard   | no            | infant_under_6_months, hyperleukocytosis, mll_translocation |
      | 3       | 10 months | 11,410 /µL   | dupMLL(11q23)     | standard   | no            | infant_under_6_months, hyperleukocytosis, mll_translocation |
      | 4       | 5 months  | 1,180 /µL    | dupMLL(11q23)     | high       | yes           | infant_under_6_months                                       |
      | 5       | 11 months | 84,950 /µL   | dupMLL(11q23)     | high       | yes           | hyperleukocytosis                                           |
      | 6       | 5 months  | 123,800 /µL  | dupMLL(11q23)     | high       | yes           | infant_under_6_months, hyperleukocytosis                    |
      | 7       | 8 months  | 139,800 /µL  | -                 | high       | yes           | hyperleukocytosis                                           |
      | 8       | 11 months | 35,670 /µL   | t(11;19)(q23;q13) | high       | yes           | mll_translocation                                           |
      | 9       | 9 months  | 91,600 /µL   | t(4;11)(q21;q23)  | high       | yes           | hyperleukocytosis, mll_translocation                        |

  Scenario: The cohort figures of the Results section
    Given the protocol "protocols/severance_2011.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then no patient is rejected
    # "고위험군에 포함된 환자의 경우는 총 9명 중 7명(77.8%)"
    And 7 of the 9 patients are assigned "high" for "risk_group"
    And 2 of the 9 patients are assigned "standard" for "risk_group"
    And 7 of the 9 patients are assigned "yes" for "hsct_referral"
    # "6개월 미만은 2명", "50,000/µL 이상이 4명", "9명 중 3명(33.3%)의 환자에서 MLL 유전자 재배열"
    And 2 of the 9 patients meet "infant_under_6_months"
    And 4 of the 9 patients meet "hyperleukocytosis"
    And 3 of the 9 patients meet "mll_translocation"
    And every patient whose "mll" is "translocation" is assigned "high" for "risk_group"

  Scenario: Both infants under 6 months are high risk
    Given the protocol "protocols/severance_2011.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then every patient whose "age_at_diagnosis" is "5 months" is assigned "high" for "risk_group"
    And "infant_under_6_months" holds for patient "4"
    And "infant_under_6_months" holds for patient "6"
    And the explanation for patient "4" shows "age_at_diagnosis 5 months < 6 months"
    And the explanation for patient "4" cites "Pieters 2009 [12]"

  Scenario: dupMLL alone never makes a patient high risk
    Given the protocol "protocols/severance_2011.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then for every patient whose "mll" is "duplication", "mll_translocation" does not hold
    And patient "3" is assigned "standard" for "risk_group"
    And "risk_group" for patient "4" was not decided by "mll_translocation"
    And "risk_group" for patient "5" was not decided by "mll_translocation"
    And "risk_group" for patient "6" was not decided by "mll_translocation"
    And the explanation for patient "3" shows "mll is duplication, not translocation"
    And the explanation for patient "3" cites "dupMLL (11q23)이 확인된 경우 고위험군에 포함시키지 않았다"

  Scenario: The same infant with a translocation instead of a duplication is high risk
    Given the protocol "protocols/severance_2011.care"
    And a patient "duplication" with:
      | age_at_diagnosis | 10 months   |
      | wbc_at_diagnosis | 11,410 /uL  |
      | mll              | duplication |
    And a patient "translocation" with:
      | age_at_diagnosis | 10 months     |
      | wbc_at_diagnosis | 11,410 /uL    |
      | mll              | translocation |
    When the protocol is evaluated
    Then patient "duplication" is assigned "standard" for "risk_group"
    And patient "translocation" is assigned "high" for "risk_group"
    And "risk_group" for patient "translocation" was decided by "mll_translocation"
    And the decision "hsct_referral" for patient "translocation" is "yes"
