@carepath
Feature: Missing data gives an undetermined decision that names what is needed
  A missing value is unknown, never assumed normal. Criteria combine in three-valued (Kleene)
  logic: a classification is undetermined while an earlier branch is unknown, and the patient's
  result names the inputs that would decide it. One criterion that holds is enough for "any of",
  so a missing value does not matter when another criterion already makes the infant high risk.

  Background:
    Given the protocol "protocols/severance_2011.care"

  Scenario: A missing WBC leaves an 8-month-old without an MLL rearrangement undetermined
    Given a patient "X" with:
      | field            | value    |
      | age_at_diagnosis | 8 months |
      | wbc_at_diagnosis |          |
      | mll              | germline |
    When the protocol is evaluated
    Then patient "X" is undetermined and needs "wbc_at_diagnosis"
    And the decision "risk_group" for patient "X" is "undetermined"
    And the decision "hsct_referral" for patient "X" is "undetermined"
    And "hyperleukocytosis" is unknown for patient "X"
    And "infant_under_6_months" does not hold for patient "X"

  Scenario: A missing WBC does not matter when MLL is rearranged by translocation
    Given a patient "Y" with:
      | field            | value         |
      | age_at_diagnosis | 8 months      |
      | wbc_at_diagnosis |               |
      | mll              | translocation |
    When the protocol is evaluated
    Then patient "Y" is assigned "high" for "risk_group"
    And "risk_group" for patient "Y" was decided by "mll_translocation"
    And the decision "hsct_referral" for patient "Y" is "yes"
    And "hyperleukocytosis" is unknown for patient "Y"

  Scenario: A missing MLL result does not matter for an infant under 6 months
    Given a patient "Z" with:
      | field            | value     |
      | age_at_diagnosis | 4 months  |
      | wbc_at_diagnosis | 8,000 /uL |
      | mll              |           |
    When the protocol is evaluated
    Then patient "Z" is assigned "high" for "risk_group"
    And "risk_group" for patient "Z" was decided by "infant_under_6_months"

  Scenario: A missing MLL result matters when nothing else makes the infant high risk
    Given a patient "W" with:
      | field            | value     |
      | age_at_diagnosis | 9 months  |
      | wbc_at_diagnosis | 8,000 /uL |
      | mll              |           |
    When the protocol is evaluated
    Then patient "W" is undetermined and needs "mll"

  Scenario: With nothing recorded every input is needed
    Given a patient "empty" with:
      | field            | value |
      | age_at_diagnosis |       |
      | wbc_at_diagnosis |       |
      | mll              |       |
    When the protocol is evaluated
    Then patient "empty" is undetermined and needs "age_at_diagnosis, wbc_at_diagnosis, mll"
